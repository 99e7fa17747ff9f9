-- Leader ownership handed over or given up (issue 16; docs/cases.md "Risk grading"). A county
-- leader who owns a difficult case (领导包案, migration 021) may give it up (lead_release, with a
-- reason) or hand it to another leader of the county (lead_handover). cases.leader_id keeps the
-- current owner; this table keeps, for each row of case_history that changed the owner (lead,
-- lead_handover, lead_release), the owner before and after, so the history says to whom a case
-- was handed even when someone other than the owner acted.
CREATE TABLE case_leader_changes (
    history_id  bigint PRIMARY KEY REFERENCES case_history (id),
    from_leader bigint REFERENCES members (id), -- NULL: nobody owned it (lead)
    to_leader   bigint REFERENCES members (id), -- NULL: given up (lead_release)
    CHECK (from_leader IS NOT NULL OR to_leader IS NOT NULL)
);
