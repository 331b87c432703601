-- Wrong passwords are counted per account AND client address (issue #16, item 5): IPv4 address, or the IPv6 /64 the client
-- sits in. A pair that reaches the limit is locked for a while; the same account signs in normally from any other address,
-- so an attacker who knows a user's e-mail address cannot lock the user out. Unknown addresses are counted like real ones
-- (the answer must not reveal whether an account exists), so the key is the normalized e-mail, not a user id.
-- Platform data read before anyone is signed in: no tenant_id, visible in the platform scope only.
CREATE TABLE sign_in_throttles (
    normalized_email  varchar(256)  NOT NULL,
    client_key        varchar(64)   NOT NULL,
    failures          integer       NOT NULL DEFAULT 0,
    locks             integer       NOT NULL DEFAULT 0,
    locked_until      timestamptz,
    last_failure_at   timestamptz   NOT NULL,
    PRIMARY KEY (normalized_email, client_key)
);
CREATE INDEX ix_sign_in_throttles_last_failure ON sign_in_throttles (last_failure_at);

ALTER TABLE sign_in_throttles ENABLE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON sign_in_throttles USING (app_is_platform()) WITH CHECK (app_is_platform());
