import type { JobStore } from '../store/jobs.js';

/** Where the job store's transitions are told (live/change-feed.ts). */
export interface JobChangeSink {
  jobsChanged(ids: Iterable<number>): void;
  manyJobsChanged(): void;
}

/**
 * The job store, telling the change feed which jobs each transition changed, after it committed. One
 * place for every transition, so no caller (intake, runner, routes, recovery) has to remember it.
 */
export function observeJobStore(jobs: JobStore, sink: JobChangeSink): JobStore {
  return {
    enqueue(list, now, windowMs) {
      const result = jobs.enqueue(list, now, windowMs);
      sink.jobsChanged(result.ids.filter((_, i) => result.created[i]));
      return result;
    },
    enqueueGroups(groups, now, windowMs) {
      const results = jobs.enqueueGroups(groups, now, windowMs);
      for (const result of results) sink.jobsChanged(result.ids.filter((_, i) => result.created[i]));
      return results;
    },
    claimNext(now, busyMappings) {
      const job = jobs.claimNext(now, busyMappings);
      if (job) sink.jobsChanged([job.id]);
      return job;
    },
    markSuccess(id, r, outbox) {
      const job = jobs.markSuccess(id, r, outbox);
      sink.jobsChanged([id]);
      return job;
    },
    markFailed(id, r, outbox) {
      const job = jobs.markFailed(id, r, outbox);
      sink.jobsChanged([id]);
      return job;
    },
    defer(id, error, nextAttemptAt, reason) {
      jobs.defer(id, error, nextAttemptAt, reason);
      sink.jobsChanged([id]);
    },
    interrupt(id, error, now) {
      jobs.interrupt(id, error, now);
      sink.jobsChanged([id]);
    },
    deferMapping(mapping, error, nextAttemptAt, now, reason) {
      const count = jobs.deferMapping(mapping, error, nextAttemptAt, now, reason);
      if (count > 0) sink.manyJobsChanged();
      return count;
    },
    promoteDueRetries(now) {
      const promoted = jobs.promoteDueRetries(now);
      if (promoted.length > 0) sink.jobsChanged(promoted.map((job) => job.id));
      return promoted;
    },
    recoverInterrupted(now, maxRetries) {
      const recovered = jobs.recoverInterrupted(now, maxRetries);
      sink.jobsChanged([...recovered.requeued, ...recovered.gaveUp].map((job) => job.id));
      return recovered;
    },
    recordRsyncPid: (id, pid) => jobs.recordRsyncPid(id, pid),
    interruptedRsyncs: () => jobs.interruptedRsyncs(),
    retryFailed(id) {
      const outcome = jobs.retryFailed(id);
      if (outcome === 'requeued') sink.jobsChanged([id]);
      return outcome;
    },
    retryFailedSince(since) {
      const ids = jobs.retryFailedSince(since);
      if (ids.length > 0) sink.jobsChanged(ids);
      return ids;
    },
    releaseWaiting() {
      const count = jobs.releaseWaiting();
      if (count > 0) sink.manyJobsChanged();
      return count;
    },
  };
}
