#pragma once
// Running an operation against a deadline. Internal header.

#include <msrp/protocol/error.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <system_error>

namespace msrp::detail {

/// Runs `op` until it finishes or `timeout` passes, then sets `ec`: to
/// `timeout_error` on timeout (the operation is cancelled and awaited
/// first), else to `op_ec`, the error_code `op` reports its failures
/// through. `operator||` would wait out the timer when `op` fails fast; a
/// parallel group returns as soon as either side completes.
template <class T>
asio::awaitable<T> with_deadline(asio::awaitable<T> op, const std::error_code& op_ec,
                                 std::chrono::steady_clock::duration timeout, std::error_code timeout_error,
                                 std::error_code& ec) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, timeout);
    auto [order, op_exception, result, timer_ec] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, std::move(op), asio::experimental::deferred),
            timer.async_wait(asio::experimental::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    (void)timer_ec;
    if (order[0] == 1) {
        ec = timeout_error;
        co_return T{};
    }
    if (op_exception)
        std::rethrow_exception(op_exception);
    ec = op_ec;
    co_return std::move(result);
}

} // namespace msrp::detail
