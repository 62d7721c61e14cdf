// A fixed set of threads that run tool calls, so no tool ever runs while its connection goes
// unread: a slow tool cannot stall reading the next message (or its cancellation).
//
// Reading can itself be a duty the pool carries (leader/followers): the thread reading a
// connection holds a ReadingDuty. When it submits a job and a worker is idle, the pool gives the
// duty to that worker, which goes on reading, and runs the job on the submitting thread, where
// the request's bytes already are. The request then costs no thread wake-up or hand-over of its
// data between cores, and reading goes on as before. With no idle worker the job is queued and
// the reader keeps reading.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace benchtop {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  ~WorkerPool();  // finishes queued work, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on a worker.
  void submit(std::function<void()> job);
  // The same, except that when called by a thread holding this pool's ReadingDuty while a worker
  // is idle, it hands the duty to that worker and runs `job` here before returning. For jobs that
  // answer the request just read; not for work that must not delay what the caller does next.
  void submit_or_run_here(std::function<void()> job);
  // Blocks until every submitted job has finished (reading duties do not count).
  void wait_idle();

  // Held by the thread reading a connection, for as long as it reads.
  class ReadingDuty {
   public:
    // `resume` goes on reading; a worker calls it when it takes the duty over.
    ReadingDuty(WorkerPool& pool, std::function<void()> resume);
    ~ReadingDuty();
    ReadingDuty(const ReadingDuty&) = delete;
    ReadingDuty& operator=(const ReadingDuty&) = delete;

    // Another thread reads now: this one must stop reading once its job is done.
    bool handed_off() const { return handed_off_; }

   private:
    friend class WorkerPool;
    WorkerPool& pool_;
    std::function<void()> resume_;
    bool handed_off_ = false;
    ReadingDuty* outer_;  // the duty this thread held before (nested pools), restored after
  };

 private:
  struct Job {
    std::function<void()> run;
    bool duty = false;  // a reading duty taken over, not work
  };

  struct Pushed {
    size_t queued = 0;  // jobs in the queue after the push
    bool wake = false;  // a sleeping worker must be woken for it
  };

  void run();
  void enqueue(Job job);
  Pushed push_locked(Job job, bool to_front);
  void publish(Pushed pushed);
  // Queues `duty`'s resume for an idle worker; false when every worker is busy.
  bool hand_off(ReadingDuty& duty);
  // Runs a job, logging what it throws.
  static void execute(const std::function<void()>& job);

  // Polls the queue briefly when no other worker does; returns whether this one did.
  bool spin_for_work();

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable idle_;
  std::deque<Job> jobs_;
  size_t queued_work_ = 0;  // jobs_ that are work, not duties
  size_t running_ = 0;      // workers executing a job or a duty
  size_t working_ = 0;      // threads executing work, a worker or a reader running a job in place
  size_t sleeping_ = 0;     // workers blocked on work_ready_
  bool stopping_ = false;
  // Mirrors of the state above, read without the lock by the one spinning worker.
  std::atomic<size_t> queued_{0};
  std::atomic<bool> spinner_{false};
  std::vector<std::thread> threads_;
};

}  // namespace benchtop
