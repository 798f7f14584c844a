"""`civicgrid`: the operator's command line. `civicgrid --help` lists the commands."""

import argparse
import os
import signal
import subprocess
import sys
import time


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()


def _manage(*argv: str) -> None:
    _django()
    from django.core.management import call_command

    call_command(*argv)


def cmd_setup(args: argparse.Namespace) -> None:
    """Migrate, compile translations and load the demo region the first time."""
    _django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("compile_translations", verbosity=0)
    if not settings.PRODUCTION:
        cmd_demo(args)


def cmd_demo(args: argparse.Namespace) -> None:
    """Load the demo region and the demo accounts; does nothing the second time."""
    _django()
    from django.conf import settings
    from django.core.management import call_command

    from civicgrid.accounts.demo import do_load_demo_accounts
    from civicgrid.regions.models import Division

    if settings.PRODUCTION:
        sys.exit("演示数据只能在开发环境载入（CIVICGRID_ENV=production 时拒绝）。")
    if not Division.objects.filter(code="130000000000").exists():
        print("首次运行：载入演示地区（河北省区划与演示网格）……", flush=True)
        call_command("load_demo_region")
    created = do_load_demo_accounts()
    if created:
        print(f"已创建演示账号 {created} 个。", flush=True)
    from civicgrid.population.demo import do_load_demo_population

    population = do_load_demo_population(
        on_start=lambda: print("首次运行：生成演示人口（每个演示网格约 330 户）……", flush=True)
    )
    if population.persons:
        print(
            f"已生成演示人口 {population.persons} 人、{population.households} 户"
            f"（{population.seconds:.0f} 秒）。",
            flush=True,
        )
    from civicgrid.errands.demo import do_load_demo_errands

    if errands := do_load_demo_errands():
        print(f"已生成演示代购需求 {errands} 条。", flush=True)
    from civicgrid.population.survey_demo import do_load_demo_survey

    if answers := do_load_demo_survey():
        print(f"已创建演示防疫调查及居民答卷 {answers} 份。", flush=True)
    from civicgrid.community.demo import do_load_demo_community

    if gates := do_load_demo_community():
        print(f"已创建演示社区卡口 {gates} 个及预警规则、出入记录和家庭健康日报。", flush=True)
    from civicgrid.learning.demo import do_load_demo_learning

    if learning := do_load_demo_learning():
        print(f"已发布演示防疫知识 {learning} 篇（文章与测验）。", flush=True)
    from civicgrid.catalog.demo import do_load_demo_catalog

    if catalog := do_load_demo_catalog():
        print(f"已生成演示政务服务事项 {catalog} 项（含人生事件与搜索同义词）。", flush=True)
    from civicgrid.certificates.demo import do_load_demo_certificates

    if certificates := do_load_demo_certificates():
        print(f"已签发演示电子证照 {certificates} 张。", flush=True)
    from civicgrid.applications.demo import do_load_demo_applications

    if cases := do_load_demo_applications():
        print(f"已载入演示办件 {cases} 件（投资项目核准、发票增量、复工复产）。", flush=True)
    from civicgrid.appointments.demo import do_load_demo_appointments

    if bookings := do_load_demo_appointments():
        print(f"已创建演示办事大厅（阜城县政务服务中心）及预约 {bookings} 个。", flush=True)
    from civicgrid.epidemic.demo import do_load_demo_epidemic

    epidemic = do_load_demo_epidemic(
        on_start=lambda: print("首次运行：生成演示疫情日报（60 天）……", flush=True)
    )
    if epidemic.reports:
        print(
            f"已生成演示疫情日报 {epidemic.reports} 份（{epidemic.seconds:.0f} 秒）。", flush=True
        )


def _print_banner(host: str, port: int) -> None:
    _django()
    from django.conf import settings

    from civicgrid.accounts.demo import demo_account_lines, demo_accounts_present

    base = f"http://{host}:{port}"
    lines = [
        "",
        f"CivicGrid 已启动：{base}/",
        f"  首页            {base}/",
        f"  工作人员登录    {base}/accounts/login/",
        f"  居民登录        {base}/accounts/login/code/",
        f"  政务服务事项    {base}/services/",
        f"  电子证照核验    {base}/certificates/verify/",
        f"  行政区划浏览    {base}/regions/",
        f"  接口文档        {base}/api/v1/docs",
        f"  后台任务演示    {base}/tasks/demo/",
        f"  运行状态        {base}/healthz",
        f"  管理后台        {base}/admin/",
    ]
    if not settings.PRODUCTION and demo_accounts_present():
        lines += ["演示账号（仅限开发环境）：", *demo_account_lines()]
    lines += ["按 Ctrl-C 停止。", ""]
    print("\n".join(lines), flush=True)


def _refuse_demo_accounts_in_production() -> None:
    _django()
    from django.conf import settings

    from civicgrid.accounts.demo import demo_accounts_present

    if settings.PRODUCTION and demo_accounts_present():
        sys.exit(
            "生产环境中存在演示账号（admin、fucheng_officer 等），拒绝启动。请先删除这些账号。"
        )


def cmd_serve(args: argparse.Namespace) -> None:
    """Run granian (WSGI, threaded workers) and one task worker until Ctrl-C or SIGTERM."""
    _refuse_demo_accounts_in_production()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "civicgrid.settings"}
    # granian rather than gunicorn's gthread workers: the same WSGI app and threads, but the
    # sockets, HTTP parsing and keep-alive are handled in Rust outside the GIL, so the Python
    # threads only run Django. Measured side by side on the 2-core machine (bench_scans.py):
    # the ping endpoint 3,100–3,300 → 4,500–4,900 req/s, a gate scan 3.7–3.8 → 2.8–3.6 ms of
    # server CPU.
    web = subprocess.Popen(
        [
            sys.executable, "-m", "granian", "civicgrid.wsgi:application",
            "--interface", "wsgi",
            "--host", args.host,
            "--port", str(args.port),
            "--workers", str(args.workers),
            "--blocking-threads", str(args.threads),
            "--http", "1",  # nginx speaks HTTP/1.1 to its upstream
            "--no-ws",
            "--respawn-failed-workers",
            "--workers-kill-timeout", "10",
            "--access-log" if args.access_log else "--no-access-log",
        ],
        env=env,
        # Its own process group, so a terminal's Ctrl-C reaches this command alone and granian
        # gets the SIGTERM below: its workers, given the SIGINT directly as well, refused its
        # graceful stop and Ctrl-C took the 10 s kill timeout.
        process_group=0,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "civicgrid.cli", "worker", "--no-reload"], env=env
    )
    children = [web, worker]

    def stop(signum: int, frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    # Whatever ends this command (an error in the banner included), the children go with it.
    try:
        _print_banner(args.host, args.port)
        # If either process dies, stop the other: a server without its worker is not "running".
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        stop(signal.SIGTERM, None)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    print("CivicGrid 已停止。", flush=True)


def cmd_worker(args: argparse.Namespace) -> None:
    argv = ["run_worker", "--queue-name", "*", "--interval", "0.5"]
    if args.no_reload:
        argv.append("--no-reload")
    _manage(*argv)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="civicgrid", description="CivicGrid 运维命令")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("setup", help="迁移数据库、编译翻译，开发环境首次运行时载入演示数据")
    sub.add_parser("demo", help="载入演示地区与演示账号（可重复执行）")
    serve = sub.add_parser("serve", help="启动网页服务（granian）和后台任务进程")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    serve.add_argument("--access-log", action="store_true", help="同时输出 granian 访问日志")
    worker = sub.add_parser("worker", help="只启动后台任务进程")
    worker.add_argument("--no-reload", action="store_true")
    imp = sub.add_parser("import-divisions", help="导入区划代码文件（CSV：code,name）")
    imp.add_argument("file")
    people = sub.add_parser("import-people", help="从表格导入人口台账（带进度条）")
    people.add_argument("file")
    people.add_argument("--community", help="社区/村代码（没有社区列的行归入该社区）或乡镇代码")
    people.add_argument("--all-or-nothing", action="store_true", help="任何一行出错则全部不导入")
    people.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    people.add_argument("--report", help="把问题清单写入该 .xlsx 文件")
    sub.add_parser("compile-translations", help="把 .po 翻译编译为 .mo")
    manage = sub.add_parser("manage", help="运行 Django 管理命令", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)

    args = parser.parse_args(argv)
    if args.command == "setup":
        cmd_setup(args)
    elif args.command == "demo":
        cmd_demo(args)
    elif args.command == "serve":
        cmd_serve(args)
    elif args.command == "worker":
        cmd_worker(args)
    elif args.command == "import-divisions":
        _manage("import_divisions", args.file)
    elif args.command == "import-people":
        flags = [f"--{name.replace('_', '-')}" for name in ("all_or_nothing", "dry_run")
                 if getattr(args, name)]  # fmt: skip
        for name in ("community", "report"):
            if getattr(args, name):
                flags += [f"--{name}", getattr(args, name)]
        _django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["civicgrid manage", "import_people", args.file, *flags])
    elif args.command == "compile-translations":
        _manage("compile_translations")
    elif args.command == "manage":
        _django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["civicgrid manage", *args.rest])


if __name__ == "__main__":
    main()
