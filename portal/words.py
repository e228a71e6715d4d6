"""Plain words for residents (通俗易懂): what each status, step and refusal means, said the way a
station's agent would say it at the door. Words only — every rule stays in its service; a
refusal this module does not know is shown with the service's own (translated) message.

The residents' pages are Chinese, as the public board is (ADR 0032); these are their texts.
"""

from __future__ import annotations

from core.errors import ApplicationError

STATUS = {
    # appointments
    "awaiting_confirmation": "已经派给代办员，代办员会先打电话和您约时间。",
    "confirmed": "代办员已经确认，会按约好的时间上门。",
    "unrouted": "已经收到，服务站正在为您安排代办员，会尽快和您联系。",
    "cancelled": "这次预约已经取消。",
    "in_case": "代办员已经开始为您办理。",
    # cases
    "consulting": "代办员正在了解情况、核对材料。",
    "awaiting_papers": "还缺材料。请按告知单一次备齐，交给代办员。",
    "declined": "经过核对，暂时不符合办理条件，原因写在下面。",
    "accepted": "已经受理，正在办理。",
    "forwarded": "材料已经送到街道（镇）便民服务中心。",
    "at_window": "正在审批窗口办理。",
    "result_ready": "已经办好，代办员正在去取结果。",
    "refused": "审批部门没有批准，原因写在下面。",
    "collected": "代办员已经取回结果，会尽快送到您手上。",
    "returned": "结果已经送还给您。",
    "closed": "已经办完。",
}

STEP = {
    "booked": "提交预约",
    "open": "开始办理",
    "review": "核对材料",
    "accept": "正式受理",
    "decline": "不符合条件",
    "forward": "送到街道（镇）中心",
    "receive": "审批窗口收到",
    "result_ready": "办好了",
    "refuse": "没有批准",
    "collect": "代办员取回结果",
    "return": "结果送还本人",
    "close": "办结",
}

LIGHT = {
    "green": "在规定时间内，正常办理中",
    "yellow": "快到办结期限了",
    "red": "已经超过办结期限，可以投诉",
}

COMPLAINT_STATUS = {
    "received": "已经收到，街道（镇）中心会处理。",
    "investigating": "正在调查核实。",
    "replied": "已经答复您，答复写在下面。",
    "closed": "已经处理完毕。",
}

COMPLAINT_OUTCOME = {
    "upheld": "投诉属实",
    "partly_upheld": "投诉部分属实",
    "not_upheld": "投诉不属实",
}

NOT_FOUND = "没有找到。请核对办事编号和手机号码后四位。"

# refusals by code: what went wrong, in plain words, and which box to fix
REFUSAL = {
    "invalid_phone": "手机号码不对。请填 11 位手机号码，例如 13800001234。",
    "name_required": "请填写您的姓名。",
    "unknown_service_item": "请选择要办的事。",
    "description_required": "选了“其他事情”，请写一下要办什么。",
    "invalid_window": "方便上门的时间不对：结束要晚于开始，并且在今后 14 天之内。",
    "invalid_resident_id": "身份证号码不对，请核对。也可以不填。",
    "missing_coordinates": "请在地图上点一下您家的位置，或选择您所在的社区。",
    "malformed_geometry": "请在地图上点一下您家的位置，或选择您所在的社区。",
    "coordinates_out_of_range": "地图上的位置不对，请重新点一下您家的位置。",
    "address_required": "请填写家庭住址。",
    "unknown_tracking_code": NOT_FOUND,
    "unknown_complaint": "没有找到这件投诉。请核对投诉编号和手机号码后四位。",
    "too_many_attempts": "查询错误次数太多，这个编号暂时不能查询。请稍后再试，或打电话给服务站。",
    "throttled": "提交得太频繁了，请过几分钟再试。急事请直接打电话给服务站。",
    "not_closed": "这件事还没有办完，办完后才能评价。",
    "already_rated": "这件事已经评价过了，谢谢您。",
    "rating_required": "请选择满意程度。",
    "invalid_rating": "请选择满意程度。",
    "text_required": "请写下您的意见。",
    "text_too_long": "写得太长了，请简短一些。",
    "name_too_long": "姓名太长了。",
    "complainant_name_required": "请填写您的姓名，以便答复您。",
    "complainant_phone_required": "请填写手机号码，以便答复您。",
    "subject_required": "请填写要投诉的办事编号，或选择要投诉的工作人员。",
    "unknown_case": "没有找到这个办事编号。请核对后再填。",
    "unknown_staff": "没有找到这位工作人员。",
    "unknown_station": "请选择服务站。",
    "invalid_characters": "填写的内容里有无法识别的字符。请删掉后重新输入。",
}

# the form box each refusal points at (the page puts the words beside it)
FIELD = {
    "applicant_name": "name",
    "applicant_phone": "phone",
    "complainant_name": "name",
    "complainant_phone": "phone",
    "service_item": "item",
    "resident_id": "resident_id",
    "location": "place",
    "station": "station",
    "case": "code",
    "preferred_start": "window",
    "preferred_end": "window",
}

# refusals whose service names no field, by code
FIELD_OF_CODE = {
    "invalid_window": "window",
    "missing_coordinates": "place",
    "malformed_geometry": "place",
    "coordinates_out_of_range": "place",
    "rating_required": "rating",
    "invalid_rating": "rating",
}


def refusal(error: ApplicationError) -> str:
    return REFUSAL.get(error.code) or str(error.message)


def field_of(error: ApplicationError) -> str:
    field = (error.details or {}).get("field") or FIELD_OF_CODE.get(error.code, "")
    return FIELD.get(field, field)
