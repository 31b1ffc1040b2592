/* SPDX-License-Identifier: MIT */
/*
 * A framework plugin written in plain C99 against <offload/plugin.h> alone,
 * to prove the ABI needs nothing from offload's own sources. It offers the
 * framework type "sdk-c": three tests whose runner writes a JUnit file with
 * the shell, one of them failing. Requests are scanned with strstr because
 * their shape is fixed by the ABI and the IDs here contain no escapes.
 */
#include <offload/plugin.h>

#include <stdio.h>
#include <string.h>

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

static int32_t describe(void *self, const struct offload_sink *out) {
  (void)self;
  return emit(out, "{\"results\":\"junit\"}");
}

static void destroy(void *self) {
  (void)self;
}

static int32_t create(const struct offload_host_v1 *host, const char *config, size_t len, void **self,
                      struct offload_error *err) {
  (void)host; (void)config; (void)len; (void)err;
  *self = &k_instance;
  return OFFLOAD_OK;
}

static const struct offload_framework_v1 k_framework = {
    sizeof(struct offload_framework_v1), 0, describe, discover, build_command, NULL, map_results, destroy,
};

static const struct offload_factory k_factory = {
    sizeof(struct offload_factory), OFFLOAD_KIND_FRAMEWORK, "sdk-c", "Three fixed tests, from a plain C plugin",
    0, 0, NULL, NULL, &k_framework, create,
};

static const struct offload_factory *const k_factories[] = {&k_factory};

static const struct offload_plugin_descriptor k_descriptor = {
    sizeof(struct offload_plugin_descriptor),
#ifdef FIXTURE_ABI_VERSION
    FIXTURE_ABI_VERSION,
#else
    OFFLOAD_ABI_VERSION,
#endif
    FIXTURE_NAME, "1.0.0", "SDK-only C fixture", 1, 0, k_factories,
};

OFFLOAD_EXPORT int32_t offload_plugin_entry(uint32_t host_abi_version, const struct offload_host_v1 *host,
                                            const struct offload_plugin_descriptor **out) {
  if (OFFLOAD_ABI_VERSION_MAJOR(host_abi_version) != OFFLOAD_ABI_MAJOR) {
    return OFFLOAD_ENOTSUP;
  }
  g_host = host;
  host->log(host, OFFLOAD_LOG_DEBUG, "sdk-c fixture loaded", 20);
  *out = &k_descriptor;
  return OFFLOAD_OK;
}
