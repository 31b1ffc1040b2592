// SPDX-License-Identifier: MIT
#include "engine/worker_session.hpp"

#include "engine/worker_protocol.hpp"
#include "report/batch_log.hpp"

#include <nlohmann/json.hpp>

namespace offload::engine {

void run_worker(const WorkerRun& run, const std::function<void(Event)>& post) {
  const auto ended = [&](int status, bool killed, std::string problem) {
    post(WorkerEnded{run.slot, status, killed, std::move(problem)});
  };
  nlohmann::json request{{"scratch_dir", run.sandbox->scratch_dir()}, {"fail_fast", run.fail_fast},
                         {"tests", run.first}};
  auto command = run.framework->worker_command(request);
  if (!command || !*command) {
    return ended(-1, false, command ? "the framework has no worker for this configuration" : command.error().message);
  }
  nlohmann::json spec = std::move((*command)->spec);
  // A worker lives as long as the run needs it; each test has its own timeout.
  spec.erase("timeout_ms");
  report::BatchLog log(run.log_path.parent_path(), run.log_path.filename().string());
  log.note("worker in sandbox " + run.sandbox->id() + ", command: " +
           spec.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::size_t malformed = 0;
  std::string refused;
  const auto on_line = [&](process::Stream stream, std::string_view line) {
    if (stream == process::Stream::Stdout) {
      if (auto message = worker::parse_line(line)) {
        if (!*message) {
          ++malformed;
          log.note(message->error().message);
          return;
        }
        std::visit(
            [&](auto& m) {
              using M = std::decay_t<decltype(m)>;
              if constexpr (std::is_same_v<M, worker::Ready>) {
                if (m.protocol != worker::k_protocol) {
                  refused = "the worker speaks protocol version " + std::to_string(m.protocol) + "; offload speaks " +
                            std::to_string(worker::k_protocol);
                  log.note(refused);
                  run.cancel.cancel();
                  return;
                }
                post(WorkerReady{run.slot, std::move(m.errors)});
              } else if constexpr (std::is_same_v<M, worker::Started>) {
                post(TestStarted{run.slot, std::move(m.id)});
              } else if constexpr (std::is_same_v<M, worker::Collected>) {
                post(FileCollected{run.slot, std::move(m.file), std::move(m.tests), std::move(m.error)});
              } else {
                post(TestFinished{run.slot, std::move(m.id), m.found, std::move(m.attempt)});
              }
            },
            message->value());
        return;
      }
    }
    log.line(stream, line);
    if (run.forward_output) {
      post(OutputLine{run.slot, 0, stream == process::Stream::Stderr ? OutputStream::Stderr : OutputStream::Stdout,
                      std::string(line)});
    }
  };
  auto outcome = run.sandbox->exec_stdin(spec, run.stdin_fd, on_line, run.cancel);
  if (!refused.empty()) {
    // Not a kill of ours to forgive: a start that failed, with its reason.
    log.finish(BatchOutcome::Error);
    return ended(-1, false, refused);
  }
  if (!outcome) {
    log.note(outcome.error().message);
    log.finish(BatchOutcome::Error);
    return ended(-1, false, outcome.error().message);
  }
  const bool killed = outcome->ending != process::Ending::Exited || run.cancel.cancelled();
  log.note("worker ended: " + (killed ? std::string("killed") : "exit status " + std::to_string(outcome->exit_status)));
  log.finish(killed ? BatchOutcome::Cancelled : outcome->exit_status == 0 ? BatchOutcome::Success : BatchOutcome::Error);
  ended(outcome->exit_status, killed,
        malformed > 0 ? std::to_string(malformed) + " malformed protocol lines (see " + run.log_path.string() + ".*)"
                      : std::string());
}

} // namespace offload::engine
