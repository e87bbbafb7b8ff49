-- From now on only the SHA-256 digest of a download token is stored. Tokens the
-- PHP plugin stored in clear become their digest, so links already emailed keep
-- working (the daemon hashes the token in the URL before looking it up) and a
-- leaked database no longer leaks live links. Runs once, atomically with its
-- migration record.
UPDATE {prefix}smi_jobs SET download_token = SHA2(download_token, 256) WHERE download_token IS NOT NULL AND download_token <> '';
UPDATE {prefix}smi_jobs SET download_token = NULL WHERE download_token = '';
