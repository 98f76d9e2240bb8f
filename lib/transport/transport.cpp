#include <msrp/transport/transport.hpp>

#include "connection.hpp"
#include "../detail/coroutine_helpers.hpp"

#include <msrp/protocol/request_paths.hpp>

#include <asio/error.hpp>

namespace msrp {


MSRPTransport::MSRPTransport(std::unique_ptr<detail::byte_stream> stream, URI local_uri, Path full_local_path,
                             Path full_remote_path, transport_options options)
    : MSRPTransport(std::make_shared<detail::connection>(std::move(stream), std::move(options)),
                    std::move(local_uri), std::move(full_local_path), std::move(full_remote_path)) {}

MSRPTransport::MSRPTransport(std::shared_ptr<detail::connection> connection, URI local_uri, Path full_local_path,
                             Path full_remote_path)
    : conn_(std::move(connection)),
      local_uri_(std::move(local_uri)),
      full_local_path_(std::move(full_local_path)),
      full_remote_path_(std::move(full_remote_path)),
      slot_(&conn_->attach(local_uri_)) {}

MSRPTransport::~MSRPTransport() {
    conn_->release(*slot_);
    if (conn_->sessions() == 0)
        conn_->close();
}

std::unique_ptr<MSRPTransport> MSRPTransport::share(URI local_uri, Path full_local_path, Path full_remote_path) {
    return std::make_unique<MSRPTransport>(conn_, std::move(local_uri), std::move(full_local_path),
                                           std::move(full_remote_path));
}

std::size_t MSRPTransport::sessions_on_connection() const noexcept { return conn_->sessions(); }

asio::any_io_executor MSRPTransport::get_executor() const { return conn_->get_executor(); }

const connection_info& MSRPTransport::connection() const noexcept { return conn_->info(); }

bool MSRPTransport::is_open() const noexcept { return !slot_->closed && conn_->is_open(); }

std::size_t MSRPTransport::buffered_bytes() const noexcept { return conn_->buffered_bytes(); }

void MSRPTransport::mark_bound() const { conn_->log_state(connection_state::bound); }

void MSRPTransport::set_logger(std::shared_ptr<Logger> logger) noexcept { conn_->set_logger(std::move(logger)); }

void MSRPTransport::close() noexcept {
    if (slot_->closed)
        return;
    if (conn_->sessions() > 1) {
        conn_->detach(*slot_, asio::error::operation_aborted);
        return;
    }
    conn_->close();
}

asio::awaitable<void> MSRPTransport::do_shutdown(std::error_code& ec) {
    ec = {};
    if (slot_->closed || conn_->sessions() > 1) {
        close();
        co_return;
    }
    co_await conn_->shutdown(ec);
}

Chunk MSRPTransport::make_chunk(const make_chunk_params& params) const {
    return msrp::make_chunk(full_remote_path_, Path{local_uri_}, params);
}

void MSRPTransport::bind_to(URI local_uri, Path full_local_path, Path full_remote_path) {
    local_uri_ = std::move(local_uri);
    full_local_path_ = std::move(full_local_path);
    full_remote_path_ = std::move(full_remote_path);
    conn_->routes_changed();
}

void MSRPTransport::unread(IncomingChunk chunk) { slot_->inbox.push_front(std::move(chunk)); }

std::size_t MSRPTransport::inbox_size() const noexcept { return slot_->inbox.size(); }

void MSRPTransport::set_read_wait_hook(std::function<void()> hook) { slot_->read_wait_hook = std::move(hook); }

std::error_code MSRPTransport::check_incoming_SEND_chunk(const Chunk& chunk) const {
    return check_request_paths(chunk, local_uri_, full_remote_path_);
}

asio::awaitable<void> MSRPTransport::do_write(std::vector<std::string_view> buffers, std::error_code& ec) {
    ec = {};
    if (slot_->closed) {
        ec = slot_->closed;
        co_return;
    }
    co_await conn_->write(buffers, ec);
}

asio::awaitable<void> MSRPTransport::write_chunks(std::span<const std::string_view> pieces,
                                                 std::span<const std::size_t> chunk_ends, std::error_code& ec) {
    if (slot_->closed) {
        ec = slot_->closed;
        co_return;
    }
    co_await conn_->write_chunks(pieces, chunk_ends, ec);
}

asio::awaitable<void> MSRPTransport::do_write_chunk(Chunk chunk, std::error_code& ec) {
    ec = {};
    if (slot_->closed) {
        ec = slot_->closed;
        co_return;
    }
    co_await conn_->write_chunk(chunk, ec);
}

asio::awaitable<IncomingChunk> MSRPTransport::do_read_chunk(std::optional<std::size_t> size, std::error_code& ec) {
    ec = {};
    IncomingChunk chunk;
    co_await read_chunk_into(chunk, size, ec);
    co_return chunk;
}

asio::awaitable<void> MSRPTransport::read_chunk_into(IncomingChunk& out, std::optional<std::size_t> size,
                                                     std::error_code& ec) {
    co_await conn_->read(*slot_, out, size, ec);
}

} // namespace msrp
