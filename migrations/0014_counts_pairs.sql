-- Room for the "<status>|<payment status>|YYYY-MM-DD" counter values.
ALTER TABLE {prefix}smi_job_counts MODIFY value varchar(64) NOT NULL;
