-- A member's notifications are listed by transition, newest first: processes consuming at
-- once may record them out of order, so their own ids do not say which came first.
DROP INDEX notifications_member_idx;
CREATE INDEX notifications_member_transition_idx ON notifications (member_id, transition_id);
