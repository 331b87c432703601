-- Realtime (media stream) calls: single-use stream start, the pending transfer target and barge-in reaction times.
ALTER TABLE calls ADD COLUMN stream_started_at timestamptz;
ALTER TABLE calls ADD COLUMN dial_target varchar(16);
ALTER TABLE calls ADD COLUMN barge_in_latencies_ms integer[] NOT NULL DEFAULT '{}';
