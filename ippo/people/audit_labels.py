from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "employee.created": _("Employee added"),
    "employee.updated": _("Employee details changed"),
    "employee.deactivated": _("Employee marked as having left"),
    "employee.reactivated": _("Employee marked as active again"),
    "employee.imported": _("Employee list imported"),
    "employee.exported": _("Employee list exported"),
    "department.created": _("Department added"),
    "department.renamed": _("Department renamed"),
    "department.deleted": _("Department deleted"),
}
