"""Display names of task states and warning levels, the same in chat and on pages."""

from models import Kind, Role, State
from models.notification import KIND_LABELS

STATE_LABELS = {
    State.DISPATCHED: "待签收", State.ACKNOWLEDGED: "待上报", State.RETURNED: "已退回",
    State.SUBMITTED: "待初审", State.FIRST_APPROVED: "待终审", State.COMPLETED: "已完成",
    State.CANCELLED: "已撤销",
}
# A task's warning level is named like the push of that step, except that a task past its
# reminder is simply 即将到期.
WARNING_LABELS = {"reminder": "即将到期", **{
    kind.value: KIND_LABELS[kind] for kind in (Kind.BLUE, Kind.YELLOW, Kind.RED, Kind.SUPERVISION)}}

# What a leader's overview of the tasks they answer for is called (任务总览, menu lists).
SCOPE_LABELS = {Role.SECRETARY: "本单位", Role.DISCIPLINE: "监督单位", Role.INSPECTOR: "全县",
                Role.ADMIN: "全县"}
