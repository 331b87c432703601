-- A tenant may choose OpenAI Realtime (issue #17, item 3): speech to speech over the Realtime API; stored 'openairealtime'.
ALTER TABLE tenant_speech DROP CONSTRAINT tenant_speech_provider_check;
ALTER TABLE tenant_speech ADD CONSTRAINT tenant_speech_provider_check
    CHECK (provider IN ('offline', 'openai', 'google', 'openairealtime'));
