"""What an audit record says was done. Add members freely; never rename or reuse a value, since
values are part of every record's hash."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Reads of a person's data: the resident sees these on "谁查看了我的数据".
    VIEW = "view", _("查看个人信息")
    VIEW_UNMASKED = "view_unmasked", _("查看未脱敏信息")
    LOOKUP = "lookup", _("按证件号码或手机号查找")
    EXPORT = "export", _("导出")
    SHARE = "share", _("共享给其他部门")
    # Writes.
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("批量导入")
    # Accounts and access.
    SIGN_IN = "sign_in", _("登录")
    SIGN_IN_FAILED = "sign_in_failed", _("登录失败")
    SIGN_OUT = "sign_out", _("退出登录")
    ACCESS_DENIED = "access_denied", _("拒绝访问")
    PERMISSION_CHANGE = "permission_change", _("权限变更")


# The actions that read a person's data. A record with one of these and a `subject_key` is
# shown to that person (without the staff member's name; see views.my_data).
READ_ACTIONS = frozenset(
    {
        AuditAction.VIEW,
        AuditAction.VIEW_UNMASKED,
        AuditAction.LOOKUP,
        AuditAction.EXPORT,
        AuditAction.SHARE,
    }
)
