"""Ground, above selections and below the stages: notices (pemberitahuan), an inbox message
and an e-mail for every change that concerns an applicant, from editable templates in the
applicant's language (`notify`, `notify_many`). Imports selections, accounts, outbox, audit,
agencies and core; the stages import it."""
