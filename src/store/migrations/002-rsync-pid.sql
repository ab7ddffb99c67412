-- The rsync a job started, so startup recovery can stop one that outlived a killed service.
ALTER TABLE jobs ADD COLUMN rsync_pid INTEGER;
