-- Flow designer: a draft's revision counts its saves, so two editors of one draft notice each other (optimistic
-- concurrency: a save names the revision it started from and is refused when the draft has moved on), and who saved
-- it last is shown in that conflict message. Other versions are never edited, their revision stays as it was.
ALTER TABLE flow_versions ADD COLUMN revision integer NOT NULL DEFAULT 1 CONSTRAINT ck_flow_versions_revision CHECK (revision >= 1);
ALTER TABLE flow_versions ADD COLUMN updated_by varchar(256);

-- Deleting a flow keeps the history of numbers that once pointed at it: released bindings lose the link (flow_id NULL),
-- active bindings must always name a flow (deleting a flow with active numbers is refused by the app and by this check).
ALTER TABLE phone_numbers ALTER COLUMN flow_id DROP NOT NULL;
ALTER TABLE phone_numbers DROP CONSTRAINT phone_numbers_flow_id_fkey;
ALTER TABLE phone_numbers ADD CONSTRAINT phone_numbers_flow_id_fkey FOREIGN KEY (flow_id) REFERENCES flows (id) ON DELETE SET NULL;
ALTER TABLE phone_numbers ADD CONSTRAINT ck_phone_numbers_active_has_flow CHECK (released_at IS NOT NULL OR flow_id IS NOT NULL);
