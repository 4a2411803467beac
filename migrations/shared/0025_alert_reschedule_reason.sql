-- SPEC §7b: a `high` or `critical` alert is rescheduled only with a reason (issue 18: "Sepsis screen
-- positive" was moved a year away with no word why). The reason of the latest reschedule is kept on the
-- alert, shown in the chart beside the new due time; the audit log keeps every one. Null: never
-- rescheduled, or rescheduled before reasons were asked.
ALTER TABLE alerts ADD COLUMN reschedule_reason TEXT;
