"""Display names of task states and warning levels, the same in chat and on pages."""

from models import State

STATE_LABELS = {
    State.DISPATCHED: "待签收", State.ACKNOWLEDGED: "待上报", State.RETURNED: "已退回",
    State.SUBMITTED: "待初审", State.FIRST_APPROVED: "待终审", State.COMPLETED: "已完成",
    State.CANCELLED: "已撤销",
}
WARNING_LABELS = {"reminder": "即将到期", "blue": "蓝色预警", "yellow": "黄色预警",
                  "red": "红色预警", "supervision": "工作督办"}
