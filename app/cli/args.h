// A small command-line parser: "--name value", "--name=value" and "--flag".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hd::cli {

struct OptionSpec {
  std::string name;       // without dashes
  bool takes_value = true;
  bool repeatable = false;
  std::string help;
  std::string value_name = "VALUE";
};

class Args {
 public:
  // Throws std::invalid_argument naming the option at fault.
  Args(const std::vector<OptionSpec>& specs, const std::vector<std::string>& argv);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& def) const;
  std::vector<std::string> all(const std::string& name) const;
  // Parsed numbers; throw std::invalid_argument naming the option and the value.
  int get_int(const std::string& name, int def) const;
  int64_t get_int64(const std::string& name, int64_t def) const;
  double get_double(const std::string& name, double def) const;
  // "2,4" -> {2, 4}; empty when the option is absent.
  std::vector<int> get_int_list(const std::string& name) const;
  // "0.3,0.8" -> {0.3, 0.8}; empty when the option is absent.
  std::vector<double> get_double_list(const std::string& name) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// Help text: "usage: <command> [options]", the summary and one line per option; command is
// what the user types before the options, e.g. "hd generate" or "hd-train unet".
std::string usage(const std::string& command, const std::string& summary,
                  const std::vector<OptionSpec>& specs);

}  // namespace hd::cli
