-- Payment notices say what they are for and how their amount was computed
-- (fees computed from the application's form), and a notice the office asks
-- for on a case keeps its outgoing registration and its PDF document.

ALTER TABLE payment_notices ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE payment_notices ADD COLUMN computation TEXT NOT NULL DEFAULT '';
ALTER TABLE payment_notices ADD COLUMN registration_id INTEGER REFERENCES registrations (id);
ALTER TABLE payment_notices ADD COLUMN document_id INTEGER REFERENCES documents (id);
