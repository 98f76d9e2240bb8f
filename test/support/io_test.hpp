#pragma once
// Running coroutine tests on one io_context with a bound on their time.

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

namespace msrp::test {

/// The token that awaits one of the library's operations in place and puts
/// its error in `ec` instead of throwing (Asio's `redirect_error`).
inline auto redirect(std::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

/// Runs `make()` (a callable returning asio::awaitable<void>) to the end on
/// `ctx`, rethrowing what it throws; fails if it is not done within
/// `limit` (a backstop: tests bound their own waits well below it).
template <class MakeAwaitable>
void run(asio::io_context& ctx, MakeAwaitable make, std::chrono::seconds limit = std::chrono::seconds(20)) {
    bool done = false;
    std::exception_ptr failure;
    asio::co_spawn(ctx, make(), [&](std::exception_ptr e) {
        done = true;
        failure = e;
    });
    ctx.run_for(limit);
    if (failure)
        std::rethrow_exception(failure);
    if (!done)
        throw std::runtime_error("test coroutine did not finish within " + std::to_string(limit.count()) + " s");
}

} // namespace msrp::test
