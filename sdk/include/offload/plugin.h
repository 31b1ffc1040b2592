/* SPDX-License-Identifier: MIT */
/*
 * offload plugin ABI, version 1.1 (see docs/plugin-abi.md for the changelog).
 *
 * This is the only contract between the offload host and its plugins. A
 * plugin is a shared object named `offload-<name>.so` that exports exactly one
 * symbol, `offload_plugin_entry`, and reaches the host only through the
 * `struct offload_host_v1` table it is handed. It may be written in any
 * language that can produce a C function; nothing C++ crosses this boundary.
 *
 * General rules, valid for every call below unless the call says otherwise:
 *
 * Versioning
 *   OFFLOAD_ABI_VERSION packs a major number (high 16 bits) and a minor number
 *   (low 16 bits). The host refuses a plugin whose major differs from its own.
 *   Within one major, structs and function tables only grow at their end, and
 *   every struct that crosses the boundary starts with `struct_size`, set by
 *   its writer to the size it knows (sizeof at build time). A reader accepts
 *   any struct_size at least the struct's 1.0 size and checks a later field
 *   with OFFLOAD_STRUCT_HAS() before touching it; bytes past the fields it
 *   knows are ignored. New function slots are optional: NULL means "not
 *   supported". So a plugin built against any 1.x header loads in any 1.y
 *   host: a plugin that cannot work without something added after 1.0 says
 *   so in its descriptor's `min_host_abi_version` (the host then refuses it
 *   with a message naming both versions), or checks `host_abi_version` in
 *   its entry point and uses the addition only when the host has it.
 *
 * Ownership and lifetime
 *   - Every pointer passed *into* a call is borrowed for the duration of that
 *     call only. Copy what you need to keep.
 *   - Every output leaves a call through a `struct offload_sink`; the receiver
 *     copies the bytes before `write` returns. Nothing allocated on one side
 *     is ever freed by the other.
 *   - Descriptors, factories, option tables and function tables are static
 *     plugin data and must stay valid until the plugin is unloaded (the host
 *     never unloads a plugin while it runs).
 *   - Strings are UTF-8. Where a length is given the string need not be
 *     NUL-terminated; everywhere else it must be.
 *
 * Structured data
 *   Configuration sections, requests and records cross as UTF-8 JSON text.
 *   Each call documents the JSON it takes and produces. Unknown JSON members
 *   must be ignored by the reader, so both sides can grow them within a major.
 *
 * Errors
 *   Calls return 0 (OFFLOAD_OK) or a negative OFFLOAD_E* code. The human
 *   readable reason goes through host->error_set on the `err` object the call
 *   received; it should be one line saying what went wrong and what was
 *   expected. No C++ exception, longjmp or signal may escape a plugin call.
 *
 * Threading
 *   offload_plugin_entry and factory `create` calls happen on the host's main
 *   thread. Instance calls may come from any thread and concurrently, with two
 *   guarantees: calls concerning one sandbox are never concurrent with each
 *   other, and `destroy` is called once, after every other call on the
 *   instance has returned. A sink must only be written from the thread that
 *   received it, before the call that received it returns. Host services may
 *   be called from any thread.
 */
#ifndef OFFLOAD_PLUGIN_H
#define OFFLOAD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Versions and helpers
 */

#define OFFLOAD_ABI_MAJOR 1u
#define OFFLOAD_ABI_MINOR 1u
#define OFFLOAD_ABI_MAKE_VERSION(major, minor) \
  ((uint32_t)(((uint32_t)(major) << 16) | ((uint32_t)(minor)&0xffffu)))
#define OFFLOAD_ABI_VERSION OFFLOAD_ABI_MAKE_VERSION(OFFLOAD_ABI_MAJOR, OFFLOAD_ABI_MINOR)
#define OFFLOAD_ABI_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define OFFLOAD_ABI_VERSION_MINOR(v) ((uint32_t)(v)&0xffffu)

/** Name of the one symbol a plugin exports. */
#define OFFLOAD_PLUGIN_ENTRY_NAME "offload_plugin_entry"

/** True when the struct behind `ptr` (of type `type`) is large enough to hold `field`. */
#define OFFLOAD_STRUCT_HAS(ptr, type, field) \
  (offsetof(type, field) + sizeof(((type *)0)->field) <= (size_t)(ptr)->struct_size)

/**
 * Entry `i` of an option table: the table is one contiguous array whose
 * stride is the entries' own struct_size (all entries of one table have the
 * same struct_size, as any C array of one struct type does), so a table
 * built with a newer, larger struct offload_option is still read correctly.
 */
#define OFFLOAD_OPTION_AT(options, i) \
  ((const struct offload_option *)(const void *)((const char *)(options) + \
                                                  (size_t)(i) * (size_t)(options)->struct_size))

#if defined(__GNUC__)
#define OFFLOAD_EXPORT __attribute__((visibility("default")))
#else
#define OFFLOAD_EXPORT
#endif

/* ---------------------------------------------------------------------------
 * Error codes (negative return values). They mirror errno names.
 */

#define OFFLOAD_OK 0
#define OFFLOAD_ENOENT (-2)     /**< a file, command, test or sandbox does not exist */
#define OFFLOAD_EIO (-5)        /**< a command or transfer failed */
#define OFFLOAD_EAGAIN (-11)    /**< transient failure; the same call may succeed later */
#define OFFLOAD_ENOMEM (-12)    /**< out of memory */
#define OFFLOAD_EFAULT (-14)    /**< internal error in the plugin (e.g. a caught exception) */
#define OFFLOAD_EINVAL (-22)    /**< invalid configuration or request */
#define OFFLOAD_ENOTSUP (-95)   /**< operation or ABI version not supported */
#define OFFLOAD_ETIMEDOUT (-110) /**< the call's timeout expired; work was stopped */
#define OFFLOAD_ECANCELED (-125) /**< the host cancelled the call; work was stopped */

/* ---------------------------------------------------------------------------
 * Enumerations. All are uint32_t constants; a reader must tolerate values it
 * does not know (treat them as the most conservative known value).
 */

/** Factory kinds. */
#define OFFLOAD_KIND_PROVIDER 1u  /**< iface is a struct offload_provider_v1 */
#define OFFLOAD_KIND_FRAMEWORK 2u /**< iface is a struct offload_framework_v1 */

/** Log levels for host->log. */
#define OFFLOAD_LOG_ERROR 1u
#define OFFLOAD_LOG_WARN 2u
#define OFFLOAD_LOG_INFO 3u
#define OFFLOAD_LOG_DEBUG 4u
#define OFFLOAD_LOG_TRACE 5u

/** Sink channels. */
#define OFFLOAD_CHANNEL_DATA 0u   /**< one record, value or document */
#define OFFLOAD_CHANNEL_STDOUT 1u /**< one line of a command's standard output, without its newline */
#define OFFLOAD_CHANNEL_STDERR 2u /**< one line of a command's standard error, without its newline */

/** Types of configuration options (struct offload_option::type). */
#define OFFLOAD_OPTION_STRING 1u       /**< TOML string */
#define OFFLOAD_OPTION_INTEGER 2u      /**< TOML integer */
#define OFFLOAD_OPTION_BOOLEAN 3u      /**< TOML boolean */
#define OFFLOAD_OPTION_FLOAT 4u        /**< TOML float or integer */
#define OFFLOAD_OPTION_STRING_LIST 5u  /**< TOML array of strings */
#define OFFLOAD_OPTION_STRING_TABLE 6u /**< TOML table of string values */

/** Option flags (struct offload_option::flags). */
#define OFFLOAD_OPTION_REQUIRED 0x1u

/* ---------------------------------------------------------------------------
 * Opaque handles
 */

/** Host-owned error slot. Filled with host->error_set; valid during the call that received it. */
struct offload_error;
/** Host-owned cancellation token. Polled with host->is_cancelled; valid during the call that received it. */
struct offload_cancel;
/** Plugin-owned sandbox. Created by create_sandbox, released by destroy_sandbox. */
struct offload_sandbox;

/* ---------------------------------------------------------------------------
 * Sinks: the one way output crosses the boundary, in either direction.
 */

/**
 * A receiver of output. Whoever creates the sink owns `data`; whoever gets the
 * sink calls `write` once per unit of output (one line, one record, one
 * document). `bytes` is borrowed: the receiver copies it before returning.
 *
 * `write` returns 0 to continue or a negative OFFLOAD_E* code to ask the writer
 * to stop; the writer then returns that code from its own call.
 *
 * Threading: only from the thread the sink was handed to, and only before the
 * call that handed it over returns.
 */
struct offload_sink {
  uint32_t struct_size;
  uint32_t reserved; /**< must be 0 */
  int32_t (*write)(void *data, uint32_t channel, const char *bytes, size_t len);
  void *data;
};

/* ---------------------------------------------------------------------------
 * Host services
 */

/**
 * The services the host offers a plugin. The table is host-owned, const, and
 * valid from offload_plugin_entry until the process exits. Each plugin gets
 * its own table (the host uses it to attribute log lines), so pass back the
 * pointer you received.
 */
struct offload_host_v1 {
  uint32_t struct_size;
  uint32_t abi_version; /**< the host's OFFLOAD_ABI_VERSION */

  /**
   * Log one message at `level` (OFFLOAD_LOG_*). The host prefixes the plugin
   * name and filters by its verbosity. `msg` need not be NUL-terminated.
   * Any thread; never fails (no return value, no error codes).
   */
  void (*log)(const struct offload_host_v1 *host, uint32_t level, const char *msg, size_t len);

  /**
   * Record why the current call fails. `code` is the negative OFFLOAD_E* the
   * call is about to return. `key` names the configuration key at fault
   * (e.g. "discover_command"), or NULL; the host turns it into a file:line
   * position. `msg` is one line, copied by the host; the last call wins.
   * Any thread, but only with an `err` received by the current call. A NULL
   * `err` is accepted and ignored; every host service below that takes an
   * `err` accepts NULL too, and otherwise writes its reason there itself, so
   * a plugin may pass its own call's `err` straight through. Never fails.
   */
  void (*error_set)(struct offload_error *err, int32_t code, const char *key, const char *msg,
                    size_t len);

  /**
   * Returns 1 once the host has cancelled the work `cancel` belongs to
   * (Ctrl-C, fail-fast, a faster duplicate), else 0. `cancel` may be NULL
   * (never cancelled). Cheap; poll it at least every 100 ms in long waits.
   * Never fails.
   */
  int32_t (*is_cancelled)(const struct offload_cancel *cancel);

  /**
   * Run a local process to completion, streaming its output.
   *
   * `spec_json` describes the process:
   *   {"argv": ["prog", "arg", ...],      required, argv[0] looked up in PATH
   *    "cwd": "/dir",                     optional, default: the host's cwd
   *    "env": {"KEY": "VALUE", ...},      optional, added to the host's environment
   *    "stdin": "text",                   optional, default: /dev/null
   *    "stdin_fd": N,                     since 1.1, optional: the child's stdin
   *                                       is a dup of the caller's fd N; the
   *                                       caller keeps ownership of N (make its
   *                                       other end close-on-exec, or the child
   *                                       never sees EOF). Excludes "stdin".
   *    "timeout_ms": 0}                   optional, 0 = no timeout
   *
   * The process runs in a new process group. Each complete line of its stdout
   * and stderr is written to `output` on OFFLOAD_CHANNEL_STDOUT/STDERR (a final
   * line without newline is delivered too); `output` may be NULL to discard.
   * When the process exits, the rest of its process group is killed, so no
   * descendant outlives it. On timeout or cancellation the whole group gets
   * SIGTERM, then SIGKILL after a short grace period.
   *
   * Error codes:
   *   OFFLOAD_OK         the process ran and exited; `*exit_status` is its exit
   *                      code, or 128 + N when signal N killed it
   *   OFFLOAD_ETIMEDOUT  timeout_ms expired; the group was killed (exit_status -1)
   *   OFFLOAD_ECANCELED  `cancel` fired; the group was killed (exit_status -1)
   *   OFFLOAD_ENOENT     argv[0] cannot be executed, or cwd cannot be entered
   *   OFFLOAD_EINVAL     malformed spec ("stdin_fd" not an open fd, or given
   *                      with "stdin")
   *   OFFLOAD_EFAULT     internal host error
   *   any code a `write` of `output` returned (the process was stopped)
   * Blocks; any thread.
   */
  int32_t (*process_run)(const struct offload_host_v1 *host, const char *spec_json, size_t spec_len,
                         const struct offload_sink *output, const struct offload_cancel *cancel,
                         int32_t *exit_status, struct offload_error *err);

  /**
   * Resolve a script shipped with offload (e.g. "local_sandbox.sh") to an
   * absolute path, written once to `path` on OFFLOAD_CHANNEL_DATA.
   * Error codes: OFFLOAD_OK; OFFLOAD_ENOENT (with a message listing the known
   * scripts) when there is no such script; OFFLOAD_EFAULT for an internal
   * host error; the code a `write` of `path` returned. Any thread.
   */
  int32_t (*bundled_script)(const struct offload_host_v1 *host, const char *name,
                            const struct offload_sink *path, struct offload_error *err);
};

/* ---------------------------------------------------------------------------
 * Configuration options
 */

/**
 * One key of a plugin's configuration section ([provider] or [framework]).
 * The host checks a section against the factory's table before `create`:
 * unknown keys (with a suggestion for typos), wrong types and missing required
 * keys are reported with their file and line, and absent keys are filled from
 * `default_json`. So `create` receives a complete, well-typed section and
 * needs to check only rules between values.
 *
 * A factory's `options` is a contiguous array read with OFFLOAD_OPTION_AT():
 * its stride is the entries' struct_size, not the host's sizeof.
 */
struct offload_option {
  uint32_t struct_size;
  uint32_t type;             /**< OFFLOAD_OPTION_* */
  uint32_t flags;            /**< OFFLOAD_OPTION_REQUIRED or 0 */
  uint32_t reserved;         /**< must be 0 */
  const char *name;          /**< key as written in TOML */
  const char *default_json;  /**< default as JSON text, or NULL for "absent" */
  const char *help;          /**< one line shown by `offload plugins -v` and init */
};

/* ---------------------------------------------------------------------------
 * Provider interface: where commands run.
 *
 * Lifecycle: create (factory) -> prepare (once, optional) -> create_sandbox
 * (once per sandbox, possibly concurrently) -> exec / download (many times per
 * sandbox) -> destroy_sandbox (once per sandbox) -> destroy.
 *
 * Command JSON, as given to `exec`:
 *   {"argv": ["prog", "arg", ...]}  or  {"shell": "a shell command line"},
 *   plus optional "env": {"K": "V"} and "timeout_ms": N (0 = none).
 * A provider that needs one command line quotes argv for a POSIX shell; test
 * IDs arrive as argv elements or already quoted inside "shell", never raw.
 * Besides "env", a provider may set for every command: TMPDIR (the
 * sandbox's own temporary directory), OFFLOAD_SANDBOX_ID, OFFLOAD_ROOT
 * (where commands start) and OFFLOAD_SHARED_DIR, a directory private to
 * the commands' user (mode 0700) that the run's sandboxes on one machine
 * share, for what a framework keeps per machine (the pytest fork server's
 * socket). A command must work without any of them.
 */
struct offload_provider_v1 {
  uint32_t struct_size;
  uint32_t reserved; /**< must be 0 */

  /**
   * Describe the instance: writes one JSON object to `out` (DATA channel):
   *   {"remote": bool}   true when sandboxes are not this machine's processes.
   * Error codes: OFFLOAD_OK; OFFLOAD_ENOMEM / OFFLOAD_EFAULT when the plugin
   * fails; the code a `write` of `out` returned. On failure the host logs
   * the reason and uses {}. Optional (NULL = {}); any thread.
   */
  int32_t (*describe)(void *self, const struct offload_sink *out, struct offload_error *err);

  /**
   * Build whatever sandboxes start from (an image). Called once, before any
   * create_sandbox. `request_json`: {"no_cache": bool, "copy_dirs": ["local:remote"]}.
   * Writes the image ID once to `image_id`, or nothing when there is no image.
   * Error codes: OFFLOAD_OK; OFFLOAD_EINVAL (bad request or configuration,
   * not retried); OFFLOAD_EIO (the build failed); OFFLOAD_EAGAIN (transient);
   * OFFLOAD_ETIMEDOUT; OFFLOAD_ECANCELED; OFFLOAD_ENOMEM; OFFLOAD_EFAULT.
   * Optional (NULL = nothing to prepare). Blocks.
   */
  int32_t (*prepare)(void *self, const char *request_json, size_t len,
                     const struct offload_sink *image_id, const struct offload_cancel *cancel,
                     struct offload_error *err);

  /**
   * Create one sandbox. `request_json`:
   *   {"id": "offload-<run>-<n>",  a name unique within the run
   *    "image_id": "...",          absent without an image
   *    "env": {"K": "V"},          for every command in this sandbox
   *    "project_root": "/app"}     where commands start (OFFLOAD_ROOT)
   * On success stores the sandbox in `*out` and writes one JSON object to
   * `info`: {"id": "provider's sandbox ID", "scratch_dir": "/abs/dir"} where
   * scratch_dir is a private directory inside the sandbox for result files.
   * On failure `*out` is untouched and no sandbox remains.
   * Error codes: OFFLOAD_OK; OFFLOAD_EAGAIN or OFFLOAD_EIO (worth retrying:
   * the host may try again, elsewhere or later); OFFLOAD_EINVAL or
   * OFFLOAD_ENOTSUP (configuration or request error: reported once, never
   * retried); OFFLOAD_ETIMEDOUT; OFFLOAD_ECANCELED; OFFLOAD_ENOMEM;
   * OFFLOAD_EFAULT. Blocks; may be called concurrently.
   */
  int32_t (*create_sandbox)(void *self, const char *request_json, size_t len,
                            struct offload_sandbox **out, const struct offload_sink *info,
                            const struct offload_cancel *cancel, struct offload_error *err);

  /**
   * Run one command (see "Command JSON") inside `sandbox` and wait for it.
   * Output lines go to `output` (STDOUT/STDERR channels) as they are produced.
   * Error codes:
   *   OFFLOAD_OK         the command ran; `*exit_status` as for host->process_run
   *   OFFLOAD_ETIMEDOUT  "timeout_ms" expired; everything it started is gone
   *   OFFLOAD_ECANCELED  the host cancelled; everything it started is gone
   *   OFFLOAD_EINVAL     malformed command JSON
   *   OFFLOAD_EIO / OFFLOAD_EAGAIN / OFFLOAD_ENOENT / other: the sandbox
   *                      failed to run it (an infrastructure failure)
   */
  int32_t (*exec)(void *self, struct offload_sandbox *sandbox, const char *command_json, size_t len,
                  const struct offload_sink *output, const struct offload_cancel *cancel,
                  int32_t *exit_status, struct offload_error *err);

  /**
   * Copy files out of `sandbox`. `request_json`:
   *   {"files": [{"remote": "/scratch/r.xml", "local": "/abs/local/r.xml"}, ...]}
   * Local parent directories exist. Error codes: OFFLOAD_OK; OFFLOAD_ENOENT
   * when a remote file does not exist (the runner never wrote it);
   * OFFLOAD_EINVAL for a malformed request; OFFLOAD_EIO / OFFLOAD_EAGAIN
   * when the transfer failed; OFFLOAD_ECANCELED; OFFLOAD_EFAULT. Either
   * way no partial local file is left behind.
   */
  int32_t (*download)(void *self, struct offload_sandbox *sandbox, const char *request_json,
                      size_t len, const struct offload_cancel *cancel, struct offload_error *err);

  /**
   * Stop everything running in `sandbox` and release it. Called exactly once
   * per sandbox, also after failures and on Ctrl-C. Must not block for long.
   * Error codes: OFFLOAD_OK; OFFLOAD_EIO or any other code on failure, which
   * the host only logs. The sandbox pointer is dead afterwards either way.
   */
  int32_t (*destroy_sandbox)(void *self, struct offload_sandbox *sandbox, struct offload_error *err);

  /** Release the instance. Called once, after every sandbox was destroyed. Cannot fail. */
  void (*destroy)(void *self);

  /**
   * since 1.1. Like exec, but the command's standard input is `stdin_fd`, a
   * readable file descriptor owned by the host (the read end of a pipe). The
   * host writes lines to the other end while the command runs and closes it
   * when it has nothing more to send. The provider passes the bytes through
   * unchanged and in order (over ssh, docker exec -i, Modal's exec stdin,
   * ...) and must not close `stdin_fd` (dup it if needed); host->process_run
   * takes it as "stdin_fd". Error codes as exec, plus OFFLOAD_EINVAL when
   * `stdin_fd` is not an open descriptor. NULL = not supported (the host
   * then uses batches).
   */
  int32_t (*exec_stdin)(void *self, struct offload_sandbox *sandbox, const char *command_json,
                        size_t len, int32_t stdin_fd, const struct offload_sink *output,
                        const struct offload_cancel *cancel, int32_t *exit_status,
                        struct offload_error *err);
};

/* ---------------------------------------------------------------------------
 * Framework interface: which tests exist and how to run a batch of them.
 */
struct offload_framework_v1 {
  uint32_t struct_size;
  uint32_t reserved; /**< must be 0 */

  /**
   * Describe the instance: writes one JSON object to `out` (DATA channel):
   *   {"results": "junit" | "exit_code",
   *    "benign_exit_statuses": [N, ...]}
   * "exit_code": the framework has no per-test result file; the host then
   * runs every test alone and takes the command's exit status as its verdict.
   * "benign_exit_statuses" (optional): non-zero exit statuses of a batch
   * whose results all passed that still mean nothing went wrong; any other
   * non-zero status with only passing results fails the run.
   * Optional key "fixed_result_file": "path" (since 1.1): the runner always
   * writes there, whatever result_file build_command gets; the host then
   * refuses concurrent sandboxes that share one file system.
   * Optional key "worker_discovery": true (a later addition that 1.1 hosts
   * ignore): `discover` honours "files_only", and the framework's worker
   * (build_worker_command) takes the `collect` request and sends the
   * `collected` event of docs/worker-protocol.md; the host may then let its
   * workers' collection stand for the costly part of discovery.
   * Error codes: OFFLOAD_OK; OFFLOAD_ENOMEM / OFFLOAD_EFAULT when the plugin
   * fails; the code a `write` of `out` returned. On failure the host logs
   * the reason and uses the default. Optional (NULL = {"results": "junit"});
   * any thread.
   */
  int32_t (*describe)(void *self, const struct offload_sink *out, struct offload_error *err);

  /**
   * List the tests of one group, on this machine. `request_json`:
   *   {"group": "name", "filters": "group filter string",
   *    "files_only": bool}  (sent only to a framework that describes
   *                          "worker_discovery"; absent = false)
   * Writes one JSON record per test to `tests` (DATA channel):
   *   {"id": "canonical test ID"}  (optional members: "file", "line",
   *                                 "classname" and "name")
   * "file" names the source file or test binary holding the test; the host
   * keeps one file's tests together in a batch where balance allows, since
   * they share collection, start-up and module-level set-up.
   * "classname" and "name" (both or neither; ABI 1.0 readers ignore them)
   * are how the framework's own JUnit report names the test, e.g. pytest's
   * "tests.test_x.TestC" and "test_a[1]": the host's junit.xml uses them
   * so CI keeps the framework's test tree, and puts the group in the
   * testcase's "group" attribute and the suite's name. Without them a
   * testcase is named by its ID under the group.
   * With "files_only" the plugin may instead write one {"file": "..."}
   * record (no "id") per file the group's tests would be collected from, in
   * collection order, and skip the costly part: the host then has the
   * workers collect those files. It may also ignore "files_only" (when the
   * filters need the tests themselves) and list tests as usual; one call
   * writes records of one kind only.
   * Test IDs are opaque to the host; they only need to be unique. A filter
   * that selects nothing is not an error. Error codes: OFFLOAD_OK;
   * OFFLOAD_EINVAL (bad filters or configuration; name the key);
   * OFFLOAD_EIO (the runner failed to list its tests); OFFLOAD_ENOENT (the
   * runner or a test binary does not exist); OFFLOAD_ETIMEDOUT;
   * OFFLOAD_ECANCELED; OFFLOAD_ENOMEM; OFFLOAD_EFAULT; the code a `write`
   * of `tests` returned. Blocks; may be called concurrently for different
   * groups.
   */
  int32_t (*discover)(void *self, const char *request_json, size_t len,
                      const struct offload_sink *tests, const struct offload_cancel *cancel,
                      struct offload_error *err);

  /**
   * Build the command that runs a batch. `request_json`:
   *   {"tests": ["id", ...],        the batch, never empty
   *    "result_file": "/scratch/offload-result-7.xml",  where results should go
   *    "fail_fast": bool}
   * Writes one command JSON (see the provider section) to `command`, with an
   * extra member "result_file": the path the command actually writes its
   * results to (normally the one requested). Error codes: OFFLOAD_OK;
   * OFFLOAD_EINVAL (malformed request or configuration); OFFLOAD_ENOMEM;
   * OFFLOAD_EFAULT; the code a `write` of `command` returned. Any thread.
   */
  int32_t (*build_command)(void *self, const char *request_json, size_t len,
                           const struct offload_sink *command, struct offload_error *err);

  /**
   * Turn the downloaded result file into JUnit XML, written once to `junit`.
   * Error codes: OFFLOAD_OK; OFFLOAD_EINVAL when the data cannot be read
   * as a result file; OFFLOAD_ENOMEM; OFFLOAD_EFAULT; the code a `write` of
   * `junit` returned. Optional: NULL means the result file already is JUnit
   * XML. Any thread.
   */
  int32_t (*convert_report)(void *self, const char *data, size_t len,
                            const struct offload_sink *junit, struct offload_error *err);

  /**
   * Map JUnit testcases back to test IDs. `request_json`:
   *   {"tests": ["id", ...],                       the batch that ran
   *    "cases": [{"name": "...", "classname": "..."}, ...]}
   * Writes one JSON array to `ids`, as long as "cases", holding for each case
   * its test ID or null when it matches none. Error codes: OFFLOAD_OK;
   * OFFLOAD_EINVAL (malformed request); OFFLOAD_ENOMEM; OFFLOAD_EFAULT; the
   * code a `write` of `ids` returned. Any thread.
   */
  int32_t (*map_results)(void *self, const char *request_json, size_t len,
                         const struct offload_sink *ids, struct offload_error *err);

  /** Release the instance. Called once, after every other call returned. Cannot fail. */
  void (*destroy)(void *self);

  /**
   * since 1.1. Build the command of a persistent worker that speaks the
   * worker protocol (docs/worker-protocol.md) on its stdin/stdout.
   * `request_json`:
   *   {"scratch_dir": "/abs/private/dir", "fail_fast": bool,
   *    "tests": ["id", ...]}   the tests this worker will probably get first
   *                            (a hint for what to collect; may be empty)
   * Writes one command JSON (as build_command, without "result_file").
   * Error codes: OFFLOAD_OK; OFFLOAD_ENOTSUP when there is no worker for
   * this configuration (the host then uses batches); OFFLOAD_EINVAL
   * (malformed request or configuration); OFFLOAD_ENOMEM; OFFLOAD_EFAULT;
   * the code a `write` of `command` returned. NULL = not supported. Any
   * thread.
   */
  int32_t (*build_worker_command)(void *self, const char *request_json, size_t len,
                                  const struct offload_sink *command, struct offload_error *err);
};

/* ---------------------------------------------------------------------------
 * Factories and the plugin descriptor
 */

/**
 * Makes instances of one provider or framework. Static plugin data.
 */
struct offload_factory {
  uint32_t struct_size;
  uint32_t kind;          /**< OFFLOAD_KIND_* */
  const char *name;       /**< the `type` users write in offload.toml, e.g. "local" */
  const char *description;/**< one line */
  uint32_t option_count;
  uint32_t reserved;      /**< must be 0 */
  const struct offload_option *options; /**< the keys of this type's section */
  /**
   * A TOML fragment (the section body, without its [header]) that `offload
   * init` writes for this type; it must load as written. May be NULL.
   */
  const char *config_template;
  /**
   * The kind's function table: struct offload_provider_v1 or
   * struct offload_framework_v1, according to `kind`.
   */
  const void *iface;
  /**
   * Make an instance. `config_json` is the checked section (every declared
   * option present or absent per its default, no unknown keys; "type"
   * removed). Stores the instance in `*self`. Error codes: OFFLOAD_OK;
   * OFFLOAD_EINVAL for a rule violation (with the offending key);
   * OFFLOAD_ENOENT when something the configuration names does not exist;
   * OFFLOAD_ENOTSUP when this machine cannot host the type; OFFLOAD_ENOMEM;
   * OFFLOAD_EFAULT. Main thread.
   */
  int32_t (*create)(const struct offload_host_v1 *host, const char *config_json, size_t len,
                    void **self, struct offload_error *err);
};

/**
 * What a plugin file contains. Static plugin data.
 */
struct offload_plugin_descriptor {
  uint32_t struct_size;
  uint32_t abi_version;     /**< OFFLOAD_ABI_VERSION the plugin was built against */
  const char *name;         /**< must match the file name offload-<name>.so */
  const char *version;      /**< the plugin's own version */
  const char *description;  /**< one line */
  uint32_t factory_count;
  /**
   * The oldest host ABI this plugin can run with, as OFFLOAD_ABI_MAKE_VERSION;
   * 0 means any host of its major. Set it when the plugin needs a field or
   * slot added after 1.0: an older host then refuses the plugin with a
   * message naming both versions instead of loading it.
   */
  uint32_t min_host_abi_version;
  const struct offload_factory *const *factories;
};

/**
 * The entry point, exported as OFFLOAD_PLUGIN_ENTRY_NAME. Called once, on the
 * main thread, right after loading. It may only use host->log; it must not
 * start threads. It stores the plugin's static descriptor in `*out` and
 * returns OFFLOAD_OK, or returns OFFLOAD_ENOTSUP when `host_abi_version` is
 * one it cannot work with (log why with host->log at OFFLOAD_LOG_ERROR
 * first: the host shows that line as the reason). A plugin built against a
 * newer minor than `host_abi_version` may still run: it only reads host
 * fields behind OFFLOAD_STRUCT_HAS(host, ...), and declares what it cannot
 * do without in the descriptor's `min_host_abi_version`.
 */
typedef int32_t (*offload_plugin_entry_fn)(uint32_t host_abi_version,
                                           const struct offload_host_v1 *host,
                                           const struct offload_plugin_descriptor **out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OFFLOAD_PLUGIN_H */
