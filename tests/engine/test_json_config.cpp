// Tests of JsonConfig (engine/src/io/json_config.*).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "io/json_config.h"

namespace fs = std::filesystem;
using hd::JsonConfig;
using nlohmann::json;

namespace {

// A fresh directory under the system temp dir, removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("hd_jc_" + std::to_string(::getpid()) + "_" + (info ? info->name() : "x"));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

const char* kUnet = R"({
  "_class_name": "UNet2DConditionModel",
  "in_channels": 4,
  "sample_size": 64,
  "norm_eps": 1e-05,
  "scaling_factor": 0.18215,
  "center_input_sample": false,
  "flip_sin_to_cos": true,
  "act_fn": "silu",
  "block_out_channels": [320, 640, 1280, 1280],
  "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
  "attention_head_dim": 8,
  "num_attention_heads": null,
  "transformer_layers_per_block": [1, 2, 10],
  "empty_list": []
})";

// Calls f, expecting an hd::Error; returns its message.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const hd::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no hd::Error thrown";
  return {};
}

void expect_contains(const std::string& msg, std::initializer_list<std::string> parts) {
  for (const auto& part : parts) {
    EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
  }
}

}  // namespace

// Each typed getter returns the value stored in the file.
TEST(JsonConfig, GettersReadValues) {
  TempDir dir;
  const auto c = JsonConfig::load(dir.write("unet/config.json", kUnet));
  EXPECT_EQ(c.get_int("in_channels", 0), 4);
  EXPECT_EQ(c.require_int("sample_size"), 64);
  EXPECT_DOUBLE_EQ(c.get_double("norm_eps", 0), 1e-5);
  EXPECT_DOUBLE_EQ(c.get_double("scaling_factor", 0), 0.18215);
  EXPECT_DOUBLE_EQ(c.get_double("in_channels", 0), 4.0);  // ints are numbers too
  EXPECT_FALSE(c.get_bool("center_input_sample", true));
  EXPECT_TRUE(c.get_bool("flip_sin_to_cos", false));
  EXPECT_EQ(c.get_string("act_fn", ""), "silu");
  EXPECT_EQ(c.get_int_list("block_out_channels", {}), (std::vector<int>{320, 640, 1280, 1280}));
  EXPECT_EQ(c.get_string_list("down_block_types", {}),
            (std::vector<std::string>{"CrossAttnDownBlock2D", "DownBlock2D"}));
  EXPECT_TRUE(c.get_int_list("empty_list", {1}).empty());
  EXPECT_TRUE(c.has("act_fn"));
  EXPECT_EQ(c.raw()["_class_name"], "UNet2DConditionModel");
  EXPECT_EQ(c.origin(), (dir.path() / "unet/config.json").string());
}

// Absent keys give the defaults.
TEST(JsonConfig, DefaultsForAbsentKeys) {
  const auto c = JsonConfig::from_json(json::object(), "cfg");
  EXPECT_EQ(c.get_int("x", 7), 7);
  EXPECT_DOUBLE_EQ(c.get_double("x", 0.5), 0.5);
  EXPECT_TRUE(c.get_bool("x", true));
  EXPECT_EQ(c.get_string("x", "d"), "d");
  EXPECT_EQ(c.get_int_list("x", {1, 2}), (std::vector<int>{1, 2}));
  EXPECT_EQ(c.get_string_list("x", {"a"}), (std::vector<std::string>{"a"}));
  EXPECT_EQ(c.get_int_or_list("x", 3, {5}), (std::vector<int>{5}));
  EXPECT_FALSE(c.has("x"));
  EXPECT_FALSE(c.is_null("x"));
  expect_contains(error_of([&] { c.require_int("x"); }), {"cfg", "missing", "'x'"});
}

// A JSON null counts as absent: getters give the default, has() is false, is_null() true.
TEST(JsonConfig, NullIsAbsent) {
  const auto c = JsonConfig::from_json(json::parse(R"({"n": null})"), "cfg");
  EXPECT_EQ(c.get_int("n", 3), 3);
  EXPECT_DOUBLE_EQ(c.get_double("n", 1.5), 1.5);
  EXPECT_FALSE(c.get_bool("n", false));
  EXPECT_EQ(c.get_string("n", "x"), "x");
  EXPECT_EQ(c.get_int_list("n", {9}), std::vector<int>{9});
  EXPECT_EQ(c.get_string_list("n", {}), std::vector<std::string>{});
  EXPECT_EQ(c.get_int_or_list("n", 2, {4, 4}), (std::vector<int>{4, 4}));
  EXPECT_FALSE(c.has("n"));
  EXPECT_TRUE(c.is_null("n"));
  expect_contains(error_of([&] { c.require_int("n"); }), {"'n'"});
}

// An int is broadcast to n entries; a list must have exactly n ints (attention_head_dim).
TEST(JsonConfig, IntOrList) {
  const auto c = JsonConfig::from_json(
      json::parse(R"({"a": 8, "b": [5, 10, 20], "c": [1, 2], "d": "x", "e": [1, "2", 3]})"),
      "unet/config.json");
  EXPECT_EQ(c.get_int_or_list("a", 4, {}), (std::vector<int>{8, 8, 8, 8}));
  EXPECT_EQ(c.get_int_or_list("b", 3, {}), (std::vector<int>{5, 10, 20}));
  expect_contains(error_of([&] { c.get_int_or_list("c", 3, {}); }),
                  {"unet/config.json", "'c'", "a list of 3 integers", "got a list of 2", "[1,2]"});
  expect_contains(error_of([&] { c.get_int_or_list("d", 3, {}); }), {"'d'", "\"x\""});
  expect_contains(error_of([&] { c.get_int_or_list("e", 3, {}); }), {"'e'", "[1,\"2\",3]"});
}

// A wrong type gives the documented message naming file, key and value.
TEST(JsonConfig, WrongTypeMessage) {
  const auto c =
      JsonConfig::from_json(json::parse(R"({"layers_per_block": "two"})"), "unet/config.json");
  EXPECT_EQ(error_of([&] { c.get_int("layers_per_block", 2); }),
            "unet/config.json: key 'layers_per_block' must be an integer, got \"two\"");
}

// Every getter rejects values of the wrong type, naming the file and the key.
TEST(JsonConfig, WrongTypesNameFileAndKey) {
  TempDir dir;
  const auto p = dir.write("sched.json", R"({"f": 2.5, "b": true, "i": 3, "s": "str",
      "big": 10000000000, "neg_big": -10000000000, "mixed": [1, "a"], "strs": ["a", 1],
      "obj": {"k": 1}})");
  const auto c = JsonConfig::load(p);
  const std::string file = p.string();
  auto check = [&](auto f, std::initializer_list<std::string> parts) {
    const std::string msg = error_of(f);
    expect_contains(msg, {file});
    expect_contains(msg, parts);
  };
  check([&] { c.get_int("f", 0); }, {"'f'", "an integer", "2.5"});
  check([&] { c.get_int("b", 0); }, {"'b'", "an integer", "true"});
  check([&] { c.require_int("s"); }, {"'s'", "\"str\""});
  check([&] { c.get_int("big", 0); }, {"'big'", "10000000000", "out of range"});
  check([&] { c.get_int("neg_big", 0); }, {"'neg_big'", "out of range"});
  check([&] { c.get_double("s", 0); }, {"'s'", "a number"});
  check([&] { c.get_double("b", 0); }, {"'b'", "a number"});
  check([&] { c.get_bool("i", false); }, {"'i'", "true or false", "3"});
  check([&] { c.get_string("i", ""); }, {"'i'", "a string", "3"});
  check([&] { c.get_int_list("mixed", {}); }, {"'mixed'", "list of integers", "[1,\"a\"]"});
  check([&] { c.get_int_list("i", {}); }, {"'i'", "list of integers"});
  check([&] { c.get_string_list("strs", {}); }, {"'strs'", "list of strings"});
  check([&] { c.get_string_list("obj", {}); }, {"'obj'", "{\"k\":1}"});
}

// A missing file reports "<path>: file not found".
TEST(JsonConfig, MissingFile) {
  TempDir dir;
  const fs::path p = dir.path() / "nope" / "config.json";
  EXPECT_EQ(error_of([&] { JsonConfig::load(p); }), p.string() + ": file not found");
  expect_contains(error_of([&] { JsonConfig::load(dir.path()); }), {"directory"});
}

// Bad JSON reports the path and the parser's byte position.
TEST(JsonConfig, BadJson) {
  TempDir dir;
  const auto p = dir.write("config.json", "{\"a\": 1,\n \"b\": }");
  const std::string msg = error_of([&] { JsonConfig::load(p); });
  expect_contains(msg, {p.string(), "invalid JSON at byte 16"});
  const auto empty = dir.write("empty.json", "");
  expect_contains(error_of([&] { JsonConfig::load(empty); }), {empty.string(), "invalid JSON"});
}

// The top level must be an object, from a file or from a json value.
TEST(JsonConfig, TopLevelMustBeObject) {
  TempDir dir;
  const auto p = dir.write("list.json", "[1, 2]");
  expect_contains(error_of([&] { JsonConfig::load(p); }), {p.string(), "JSON object", "array"});
  expect_contains(error_of([&] { JsonConfig::from_json(json(3), "inline"); }),
                  {"inline", "JSON object"});
}
