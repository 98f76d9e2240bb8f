#include <msrp/protocol/error.hpp>
#include <msrp/protocol/request_paths.hpp>

namespace msrp {

std::error_code check_request_paths(const Chunk& request, const URI& local_uri, const Path& remote_path) {
    const auto to = request.to_path();
    const auto from = request.from_path();
    if (!to || to->size() != 1 || !((*to)[0] == local_uri))
        return errc::session_mismatch;
    if (!from || from->empty() || remote_path.empty() || !(from->back() == remote_path.back()))
        return errc::session_mismatch;
    return {};
}

} // namespace msrp
