package otp_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
)

var ctx = context.Background()

func newCodes(s store.Store, src otp.Source) (otp.Codes, *clock.Adjustable) {
	c := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	return otp.Codes{Store: s, Clock: c, Kind: "test.otp", Length: 6, TTL: 5 * time.Minute, MaxAttempts: 5,
		Retention: time.Hour, Source: src, Outbox: &outbox.Outbox{Store: s, Retention: time.Hour}}, c
}

func TestIssueSendsTheCodeAndRedeemUsesItOnce(t *testing.T) {
	s := memory.New()
	codes, c := newCodes(s, otp.Sequence("123456"))
	code, err := codes.Issue(ctx, "u1", outbox.Message{API: "test", Kind: "otp", To: "anna@example.com"})
	require.NoError(t, err)
	assert.Equal(t, "123456", code)
	msgs, err := codes.Outbox.List(ctx, "anna@example.com", "otp")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, outbox.Message{API: "test", Kind: "otp", To: "anna@example.com", Code: "123456", SentAt: c.Now()}, msgs[0])

	assert.NoError(t, codes.Redeem(ctx, "u1", "123456"))
	assert.ErrorIs(t, codes.Redeem(ctx, "u1", "123456"), otp.ErrUnusable, "a code is used once")
	assert.ErrorIs(t, codes.Redeem(ctx, "nobody", "123456"), otp.ErrUnusable)
}

// A code is good just before its TTL ends and dead at the instant it ends.
func TestCodeExpiresAtItsTTL(t *testing.T) {
	for _, tc := range []struct {
		after time.Duration
		want  error
	}{{5*time.Minute - time.Nanosecond, nil}, {5 * time.Minute, otp.ErrUnusable}, {5*time.Minute + time.Second, otp.ErrUnusable}} {
		codes, c := newCodes(memory.New(), otp.Sequence("123456"))
		_, err := codes.Issue(ctx, "u1", outbox.Message{To: "a"})
		require.NoError(t, err)
		require.NoError(t, c.Advance(tc.after))
		assert.Equal(t, tc.want, codes.Redeem(ctx, "u1", "123456"), tc.after)
	}
}

// The fourth wrong try leaves the code usable; the fifth kills it.
func TestWrongTriesLockTheCodeAtTheLimit(t *testing.T) {
	for _, wrongTries := range []int{4, 5} {
		codes, _ := newCodes(memory.New(), otp.Sequence("123456"))
		_, err := codes.Issue(ctx, "u1", outbox.Message{To: "a"})
		require.NoError(t, err)
		for range wrongTries {
			require.ErrorIs(t, codes.Redeem(ctx, "u1", "000000"), otp.ErrWrong)
		}
		err = codes.Redeem(ctx, "u1", "123456")
		if wrongTries < 5 {
			assert.NoError(t, err, "after %d wrong tries", wrongTries)
		} else {
			assert.ErrorIs(t, err, otp.ErrUnusable, "after %d wrong tries", wrongTries)
		}
	}
}

func TestANewCodeReplacesTheOld(t *testing.T) {
	codes, _ := newCodes(memory.New(), otp.Sequence("111111", "222222"))
	for range 2 {
		_, err := codes.Issue(ctx, "u1", outbox.Message{To: "a"})
		require.NoError(t, err)
	}
	assert.ErrorIs(t, codes.Redeem(ctx, "u1", "111111"), otp.ErrWrong)
	assert.NoError(t, codes.Redeem(ctx, "u1", "222222"))
}

func TestRedeemedExactlyOnceUnderContention(t *testing.T) {
	codes, _ := newCodes(memory.New(), otp.Sequence("123456"))
	_, err := codes.Issue(ctx, "u1", outbox.Message{To: "a"})
	require.NoError(t, err)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if codes.Redeem(ctx, "u1", "123456") == nil {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, wins.Load())
}

// racyStore plays a concurrent Issue: the first time a challenge is to be created, another Issue, with
// a code of its own, has just created one for the same key.
type racyStore struct {
	store.Store
	rival otp.Codes
	raced bool
}

func (s *racyStore) Create(ctx context.Context, rec store.Record) (store.Record, error) {
	if rec.Kind == "test.otp" && !s.raced {
		s.raced = true
		if _, err := s.rival.Issue(ctx, rec.Key, outbox.Message{To: "rival"}); err != nil {
			return store.Record{}, err
		}
	}
	return s.Store.Create(ctx, rec)
}

// An Issue that loses the race to create the first challenge replaces the winner's, rather than
// failing or leaving the winner's in place: the code it sends is the one that works, and the rival's
// is wrong.
func TestIssueThatLosesTheCreateRaceReplaces(t *testing.T) {
	mem := memory.New()
	rival, _ := newCodes(mem, otp.Sequence("654321"))
	racy := &racyStore{Store: mem, rival: rival}
	codes, _ := newCodes(racy, otp.Sequence("123456"))
	code, err := codes.Issue(ctx, "u1", outbox.Message{To: "a"})
	require.NoError(t, err)
	require.True(t, racy.raced)
	assert.Equal(t, "123456", code)
	assert.ErrorIs(t, codes.Redeem(ctx, "u1", "654321"), otp.ErrWrong, "the rival's code still stands")
	assert.NoError(t, codes.Redeem(ctx, "u1", code))
}

func TestRandomCodesAreDigitsOfTheLength(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		code := otp.Random().Code(6)
		assert.Regexp(t, `^[0-9]{6}$`, code)
		seen[code] = true
	}
	assert.Greater(t, len(seen), 45, "random codes rarely repeat")
}
