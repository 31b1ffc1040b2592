/* SPDX-License-Identifier: MIT */
/*
 * A framework plugin written in plain C99 against <offload/plugin.h> alone,
 * to prove the ABI needs nothing from offload's own sources. It offers the
 * framework type FIXTURE_TYPE ("sdk-c"): three tests whose runner writes a
 * JUnit file with the shell, one of them failing. Requests are scanned with
 * strstr because their shape is fixed by the ABI and the IDs here contain no
 * escapes.
 *
 * Built several ways (tests/plugins/meson.build) to pin the growth rules:
 *   FIXTURE_FROZEN_1_0   against the frozen 1.0 header (tests/abi/frozen)
 *   FIXTURE_GROWN        every struct carries extra trailing fields, as one
 *                        built against a later minor would
 *   FIXTURE_ABI_VERSION  the descriptor's abi_version
 *   FIXTURE_MIN_HOST     the descriptor's min_host_abi_version
 *   FIXTURE_REFUSE       the entry point logs this and refuses the host
 */
#ifdef FIXTURE_FROZEN_1_0
#include <offload/plugin-1.0.h>
#else
#include <offload/plugin.h>
#endif

#include <stdio.h>
#include <string.h>

#ifndef FIXTURE_TYPE
#define FIXTURE_TYPE "sdk-c"
#endif
#ifndef FIXTURE_ABI_VERSION
#define FIXTURE_ABI_VERSION OFFLOAD_ABI_VERSION
#endif
#ifndef FIXTURE_MIN_HOST
#define FIXTURE_MIN_HOST 0
#endif

/* Fields a later minor might append; a host must skip them by struct_size. */
#ifdef FIXTURE_GROWN
/* Would crash a host that took a future field for a slot it knows. */
static const char k_bad[] = "not a function";
#define FUTURE_FIELDS const void *future_slots[3];
#define FUTURE_VALUES , {k_bad, k_bad, k_bad}
#else
#define FUTURE_FIELDS
#define FUTURE_VALUES
#endif

struct fixture_option {
  struct offload_option base;
  FUTURE_FIELDS
};
struct fixture_framework {
  struct offload_framework_v1 base;
  FUTURE_FIELDS
};
struct fixture_factory {
  struct offload_factory base;
  FUTURE_FIELDS
};
struct fixture_descriptor {
  struct offload_plugin_descriptor base;
  FUTURE_FIELDS
};

static const char *const k_tests[] = {"c_alpha", "c_beta", "c_gamma"};
static int k_instance;

static int32_t emit(const struct offload_sink *sink, const char *text) {
  return sink->write(sink->data, OFFLOAD_CHANNEL_DATA, text, strlen(text));
}

static const struct offload_host_v1 *g_host;

static int32_t discover(void *self, const char *req, size_t len, const struct offload_sink *tests,
                        const struct offload_cancel *cancel, struct offload_error *err) {
  char record[64];
  size_t i;
  (void)self; (void)req; (void)len; (void)cancel; (void)err;
  for (i = 0; i < sizeof k_tests / sizeof k_tests[0]; ++i) {
    int32_t rc;
    snprintf(record, sizeof record, "{\"id\":\"%s\"}", k_tests[i]);
    rc = emit(tests, record);
    if (rc != OFFLOAD_OK) {
      return rc;
    }
  }
  return OFFLOAD_OK;
}

/* Copies the string value of "key" out of a flat JSON object. */
static int json_string(const char *json, size_t len, const char *key, char *out, size_t out_len) {
  char pattern[64];
  const char *start;
  const char *end;
  (void)len;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  start = strstr(json, pattern);
  if (start == NULL) {
    return 0;
  }
  start += strlen(pattern);
  end = strchr(start, '"');
  if (end == NULL || (size_t)(end - start) >= out_len) {
    return 0;
  }
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
  return 1;
}

static int32_t build_command(void *self, const char *req, size_t len, const struct offload_sink *command,
                             struct offload_error *err) {
  char path[1024];
  char text[4096];
  (void)self;
  if (!json_string(req, len, "result_file", path, sizeof path)) {
    g_host->error_set(err, OFFLOAD_EINVAL, NULL, "request has no result_file", 26);
    return OFFLOAD_EINVAL;
  }
  /* Runs every test of the fixture; results for tests outside the batch are
   * reported by the host as unmatched, which is what a real runner does too. */
  snprintf(text, sizeof text,
           "{\"shell\":\"printf '%%s' '<testsuite name=\\\"c\\\" tests=\\\"3\\\">"
           "<testcase name=\\\"c_alpha\\\" time=\\\"0.01\\\"/>"
           "<testcase name=\\\"c_beta\\\" time=\\\"0.02\\\"><failure message=\\\"beta is broken\\\"/></testcase>"
           "<testcase name=\\\"c_gamma\\\" time=\\\"0.03\\\"/></testsuite>' > '%s'\",\"result_file\":\"%s\"}",
           path, path);
  return emit(command, text);
}

static int32_t map_results(void *self, const char *req, size_t len, const struct offload_sink *ids,
                           struct offload_error *err) {
  char out[4096] = "[";
  const char *cursor;
  (void)self; (void)len; (void)err;
  cursor = strstr(req, "\"cases\"");
  while (cursor != NULL && (cursor = strstr(cursor, "\"name\":\"")) != NULL) {
    const char *end;
    cursor += 8;
    end = strchr(cursor, '"');
    if (end == NULL) {
      break;
    }
    if (strlen(out) > 1) {
      strcat(out, ",");
    }
    strcat(out, "\"");
    strncat(out, cursor, (size_t)(end - cursor));
    strcat(out, "\"");
    cursor = end;
  }
  strcat(out, "]");
  return emit(ids, out);
}

#if OFFLOAD_ABI_MINOR >= 1
/* A "worker" that is only cat; ENOTSUP for fail_fast, to show that answer. */
static int32_t build_worker_command(void *self, const char *req, size_t len, const struct offload_sink *command,
                                    struct offload_error *err) {
  static const char k_no_worker[] = "no worker with fail_fast";
  (void)self; (void)len;
  if (strstr(req, "\"fail_fast\":true") != NULL) {
    g_host->error_set(err, OFFLOAD_ENOTSUP, NULL, k_no_worker, sizeof k_no_worker - 1);
    return OFFLOAD_ENOTSUP;
  }
  return emit(command, "{\"argv\":[\"cat\"]}");
}
#define WORKER_SLOT , build_worker_command
#else
#define WORKER_SLOT
#endif

static int32_t describe(void *self, const struct offload_sink *out, struct offload_error *err) {
  (void)self; (void)err;
  return emit(out, "{\"results\":\"junit\"}");
}

static void destroy(void *self) {
  (void)self;
}

/* The host fills absent keys from the option table's defaults: seeing both
 * here proves it read the table entry by entry at the plugin's stride. */
static int32_t create(const struct offload_host_v1 *host, const char *config, size_t len, void **self,
                      struct offload_error *err) {
  static const char k_expected[] = "expected the defaults \"greeting\": \"hello\" and \"repeat\": 1";
  (void)len;
  if (strstr(config, "\"greeting\":\"hello\"") == NULL || strstr(config, "\"repeat\":1") == NULL) {
    host->error_set(err, OFFLOAD_EINVAL, NULL, k_expected, sizeof k_expected - 1);
    return OFFLOAD_EINVAL;
  }
  *self = &k_instance;
  return OFFLOAD_OK;
}

static const struct fixture_option k_options[] = {
    {{sizeof(struct fixture_option), OFFLOAD_OPTION_STRING, 0, 0, "greeting", "\"hello\"", "A word"} FUTURE_VALUES},
    {{sizeof(struct fixture_option), OFFLOAD_OPTION_INTEGER, 0, 0, "repeat", "1", "A count"} FUTURE_VALUES},
};

static const struct fixture_framework k_framework = {
    {sizeof(struct fixture_framework), 0, describe, discover, build_command, NULL, map_results, destroy WORKER_SLOT} FUTURE_VALUES,
};

static const struct fixture_factory k_factory = {
    {sizeof(struct fixture_factory), OFFLOAD_KIND_FRAMEWORK, FIXTURE_TYPE, "Three fixed tests, from a plain C plugin",
     2, 0, &k_options[0].base, NULL, &k_framework.base, create} FUTURE_VALUES,
};

static const struct offload_factory *const k_factories[] = {&k_factory.base};

static const struct fixture_descriptor k_descriptor = {
    {sizeof(struct fixture_descriptor), FIXTURE_ABI_VERSION, FIXTURE_NAME, "1.0.0", "SDK-only C fixture", 1,
     FIXTURE_MIN_HOST, k_factories} FUTURE_VALUES,
};

OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t host_abi_version, const struct offload_host_v1 *host,
                                            const struct offload_plugin_descriptor **out) {
  if (OFFLOAD_ABI_VERSION_MAJOR(host_abi_version) != OFFLOAD_ABI_MAJOR) {
    return OFFLOAD_ENOTSUP;
  }
#ifdef FIXTURE_REFUSE
  /* What a plugin does when it needs something this host's version lacks. */
  host->log(host, OFFLOAD_LOG_ERROR, FIXTURE_REFUSE, strlen(FIXTURE_REFUSE));
  return OFFLOAD_ENOTSUP;
#endif
  g_host = host;
  host->log(host, OFFLOAD_LOG_DEBUG, "sdk-c fixture loaded", 20);
  *out = &k_descriptor.base;
  return OFFLOAD_OK;
}
