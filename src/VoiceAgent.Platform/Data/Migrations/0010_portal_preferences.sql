-- Portal preferences follow the user, not the browser (issue #13): the colour scheme ('light'/'dark'; NULL = follow the
-- operating system) and the language ('de'/'en'; NULL = German). Sign-in copies them into the browser's cookies.
ALTER TABLE users ADD COLUMN ui_theme varchar(5) CHECK (ui_theme IN ('light', 'dark'));
ALTER TABLE users ADD COLUMN ui_culture varchar(2) CHECK (ui_culture IN ('de', 'en'));
