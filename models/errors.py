"""Domain errors: typed here, translated at the edge into a page, JSON or a chat reply (R9).

Each carries the Chinese sentence the user sees and the HTTP status an API answer gets.
"""


class DomainError(Exception):
    status = 400
    message = "操作未能完成，请稍后再试。"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message


class NotFound(DomainError):
    status = 404
    message = "未找到该内容。"


class NotAllowed(DomainError):
    status = 403
    message = "无权进行此操作。"


class Conflict(DomainError):
    status = 409
    message = "该事项已处理。"
