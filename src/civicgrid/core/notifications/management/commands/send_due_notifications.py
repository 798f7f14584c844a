"""Send text messages whose time has come: the safety net behind the notification tasks."""

from django.core.management.base import BaseCommand

from civicgrid.core.notifications.actions import do_send_due_sms_deliveries


class Command(BaseCommand):
    help = "发送已到发送时间的通知短信（待发送、免打扰后发送、等待重试）。建议每 5 分钟运行一次。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--limit", type=int, default=1000, help="本次最多处理的短信条数")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        tried = do_send_due_sms_deliveries(limit=options["limit"])
        if options["verbosity"] > 0:
            self.stdout.write(f"已处理 {tried} 条到期短信。")
