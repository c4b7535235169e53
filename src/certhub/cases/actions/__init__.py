"""Actions of rapid handling (快速处置) and notices (信息通报), C6 and 湘政发〔2018〕28号 (四, 五): an
officer opens a case from a risk warning, or dismisses the warning with a reason; assigns the case,
records the measures taken and closes it. The officers of the departments responsible are told in the
app and by e-mail when the case opens, when its deadline nears and when it closes.

One module per stage: common (what they share), opening (from a warning), observations (from a complaint or a
market check), handling (the open case and its notices). Every action is re-exported here."""

from certhub.cases.actions.common import (
    DEFAULT_WORKING_DAYS,
    MAX_WORKING_DAYS,
    MIN_WORKING_DAYS,
    do_record_notices_emailed,
    send_notice_emails,
)
from certhub.cases.actions.handling import (
    do_assign_case,
    do_close_case,
    do_mark_notice_read,
    do_record_measure,
    do_send_deadline_reminders,
    send_deadline_reminders,
)
from certhub.cases.actions.observations import (
    do_join_case_from_complaint,
    do_open_case_from_complaint,
    do_open_case_from_market_check,
)
from certhub.cases.actions.opening import (
    do_dismiss_warning,
    do_open_case,
)

__all__ = [
    "DEFAULT_WORKING_DAYS",
    "MAX_WORKING_DAYS",
    "MIN_WORKING_DAYS",
    "do_assign_case",
    "do_close_case",
    "do_dismiss_warning",
    "do_join_case_from_complaint",
    "do_mark_notice_read",
    "do_open_case",
    "do_open_case_from_complaint",
    "do_open_case_from_market_check",
    "do_record_measure",
    "do_record_notices_emailed",
    "do_send_deadline_reminders",
    "send_deadline_reminders",
    "send_notice_emails",
]
