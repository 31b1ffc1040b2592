// SPDX-License-Identifier: MIT
#pragma once

namespace offload::process {

/// Lowers the CPU priority of the calling thread by `increment` nice steps,
/// and so of every process it starts from now on (Linux keeps the nice
/// value per thread, and a child inherits its creating thread's). Work that
/// runs beside the tests, such as a discovery that only confirms the last
/// run's list, then takes only the CPU time the tests leave. Best effort:
/// a failure changes nothing.
void lower_this_thread_priority(int increment);

} // namespace offload::process
