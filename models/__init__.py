"""The domain: tables and the rules that change them. Re-exports every model class."""

from models.admin_link import AdminLinkUse
from models.api_token import ApiToken as ApiToken
from models.assessment import Assessment
from models.assignment import Assignment, State
from models.audit import AuditEvent
from models.calendar import CalendarDay, CalendarYear
from models.deduction import Deduction, DeductionKind
from models.clock import utcnow
from models import db, ladder
from models.db import Base, session
from models.eco_index import IndexMonth, IndexValue
from models.eco_manual import ManualValue
from models.eco_tree import IndicatorTree
from models.duty import (DutyCategory, DutyTemplate, LatePolicy, Period, Responsibility,
                         TemplateKind)
from models.evidence import Evidence, EvidenceKind, EvidenceStatus
from models.instruction import Instruction
from models.integrity import FlagKind, FlagState, IntegrityFlag
from models.ladder import Level
from models.level_scheme import LevelScheme
from models.inbound_message import InboundMessage
from models.notice import ItemState, Notice, NoticeItem, NoticeKind, NoticeState
from models.notification import Channel, NotificationKind, Notification, NotificationStatus
from models.post import Post, RiskPoint, RiskLevel
from models.review import Decision, Review
from models.scoring import ScoringPolicy
from models.self_check import RiskFollowUp, SelfCheckAnswer
from models.self_check_draft import SelfCheckDraft
from models.shown_list import ShownList
from models.spot_check import SpotCheckItem, SpotCheckRound
from models.supervision import Supervision
from models.text_print import TextPrintRow
from models.unit import ROLE_LABELS, Person, Role, Unit, UnitKind
from models.wechat_binding import BindCode, BindFailure, WechatBinding

__all__ = [
    "AdminLinkUse",
    "Assessment",
    "Assignment",
    "AuditEvent",
    "Base",
    "BindCode",
    "BindFailure",
    "CalendarDay",
    "CalendarYear",
    "Channel",
    "Decision",
    "Deduction",
    "DeductionKind",
    "DutyCategory",
    "DutyTemplate",
    "Evidence",
    "IndexMonth",
    "IndexValue",
    "IndicatorTree",
    "ManualValue",
    "EvidenceKind",
    "EvidenceStatus",
    "FlagKind",
    "FlagState",
    "InboundMessage",
    "IntegrityFlag",
    "Instruction",
    "ItemState",
    "Notice",
    "NoticeItem",
    "NoticeKind",
    "NoticeState",
    "NotificationKind",
    "Notification",
    "Period",
    "Person",
    "Post",
    "ROLE_LABELS",
    "Responsibility",
    "Review",
    "RiskLevel",
    "RiskFollowUp",
    "RiskPoint",
    "ScoringPolicy",
    "SelfCheckAnswer",
    "SelfCheckDraft",
    "Role",
    "ShownList",
    "SpotCheckItem",
    "SpotCheckRound",
    "State",
    "NotificationStatus",
    "Supervision",
    "TemplateKind",
    "TextPrintRow",
    "Unit",
    "UnitKind",
    "LatePolicy",
    "Level",
    "LevelScheme",
    "WechatBinding",
    "init_app",
    "session",
    "utcnow",
]


def init_app(app) -> None:
    """The database session, and the configuration the ladder reads (QUIET_HOURS)."""
    db.init_app(app)
    ladder.configure(app.config)
