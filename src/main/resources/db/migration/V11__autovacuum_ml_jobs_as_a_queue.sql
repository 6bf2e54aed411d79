-- ml_jobs is a queue as well as a table: every job leaves dead row versions behind (the claim's and
-- the report's), and their entries stay at the head of the pending range of the status indexes until
-- a vacuum removes them. With the defaults a vacuum starts once 20% of the table is dead: 2M rows at
-- 10M, about 15 minutes at 1,000 jobs/s. In the 10M-row soak a claim then read 1,600 pages and took
-- 36-52 ms; after one VACUUM it read a few dozen and took 1.5 ms. A small threshold, nearly fixed
-- whatever the table's size, keeps the head clean, and a higher cost limit lets each of those vacuums
-- end in seconds. SET (...) takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on meanwhile.
ALTER TABLE ml_jobs SET (
    autovacuum_vacuum_scale_factor = 0.005,
    autovacuum_vacuum_threshold = 20000,
    autovacuum_vacuum_cost_limit = 2000
);
