"""The licensing pages (C8, 一网通办): the applicant's side for the phone (applicant.py) and the officers' side
for the desk (office.py). Views parse input, call licensing's queries and actions, and render; the actions
decide (docs/architecture.md convention 7)."""
