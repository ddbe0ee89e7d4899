package watcher

import (
	"time"

	"github.com/robfig/cron/v3"
)

// AddFunc runs fn on a cron spec (parsed like listing schedules, CRON_TZ=
// prefixes included) under the scheduler's recover and skip-if-running
// chain, without jitter: the digest fires at the minute it names. Stop
// waits for a running fn too.
func (s *Scheduler) AddFunc(spec string, fn func()) error {
	sched, err := ParseSchedule(spec)
	if err != nil {
		return err
	}
	s.cron.Schedule(sched, s.chain.Then(cron.FuncJob(fn)))
	return nil
}

// PrevFire returns the latest time at or before t when sched fires, looking
// back at most a year; ok is false when it fired in none of that.
func PrevFire(sched cron.Schedule, t time.Time) (time.Time, bool) {
	for _, back := range []time.Duration{time.Hour, 26 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour} {
		n := sched.Next(t.Add(-back))
		if n.IsZero() || n.After(t) {
			continue
		}
		last := n
		for {
			n = sched.Next(n)
			if n.IsZero() || n.After(t) {
				return last, true
			}
			last = n
		}
	}
	return time.Time{}, false
}

// Go runs fn in the background now; Stop waits for it like for polls.
func (s *Scheduler) Go(fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
}
