"""The domain: tables and the rules that change them. Re-exports every model class."""

from models.api_token import ApiToken as ApiToken
from models.assignment import Assignment, State, Warning
from models.audit import AuditEvent
from models.db import Base, init_app, session, utcnow
from models.duty import DutyCategory, DutyTemplate, Period, Responsibility, TemplateKind
from models.evidence import Evidence, EvidenceKind, EvidenceStatus
from models.instruction import Instruction
from models.inbound_message import InboundMessage
from models.notification import Channel, Notification, Status
from models.review import Decision, Review
from models.unit import ROLE_LABELS, Person, Role, Unit, UnitKind
from models.wechat_binding import BindCode, WechatBinding

__all__ = [
    "Assignment", "AuditEvent", "Base", "BindCode", "Channel", "Decision", "DutyCategory",
    "DutyTemplate", "Evidence", "EvidenceKind", "EvidenceStatus", "InboundMessage", "Instruction", "Notification", "Period",
    "Person", "ROLE_LABELS", "Responsibility", "Review", "Role", "State", "Status",
    "TemplateKind", "Unit", "UnitKind", "Warning", "WechatBinding", "init_app", "session",
    "utcnow",
]
