#pragma once
// Waking coroutines that wait for a change of state on one executor: a
// timer that never expires, cancelled to wake every waiter. Internal header.

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <cstddef>

namespace msrp::detail {

class wake_signal {
public:
    explicit wake_signal(asio::any_io_executor executor) : timer_(std::move(executor)) {
        // Set once: moving the expiry would cancel the waiters too.
        timer_.expires_at(asio::steady_timer::time_point::max());
    }

    /// Wakes every coroutine waiting now (none later).
    void notify() noexcept {
        if (waiters_ > 0)
            timer_.cancel();
    }

    /// Waits for the next `notify`. False when the waiting coroutine was
    /// cancelled itself (its cancellation slot fired).
    asio::awaitable<bool> wait() {
        auto cancellation = co_await asio::this_coro::cancellation_state;
        ++waiters_;
        auto [ec] = co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        (void)ec;
        --waiters_;
        co_return cancellation.cancelled() == asio::cancellation_type::none;
    }

    std::size_t waiters() const noexcept { return waiters_; }

private:
    asio::steady_timer timer_;
    std::size_t waiters_ = 0;
};

} // namespace msrp::detail
