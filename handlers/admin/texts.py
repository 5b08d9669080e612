"""Chinese sentences of the admin pages that are not in their templates."""

NEW_LINK = ("请在服务器上执行 flask --app app admin-link 您的姓名（或人员编号）生成新的登录链接，"
            "或请系统管理员为您生成。")
LINK_EXPIRED = "登录链接已过期或无效（链接10分钟内有效）。" + NEW_LINK
LINK_USED = "该登录链接已使用过（每个链接只能使用一次）。" + NEW_LINK
SIGN_IN_FIRST = "请使用管理后台登录链接进入。" + NEW_LINK
NOT_ADMIN = "只有系统管理员和县纪委监委审核人员可以进入管理后台。"
LEVELS_IN_USE = "推送消息、公众号回复和各页面即刻使用新的名称和颜色。"
