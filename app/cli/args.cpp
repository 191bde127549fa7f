#include "args.h"

#include <sstream>
#include <stdexcept>

namespace hd::cli {

Args::Args(const std::vector<OptionSpec>& specs, const std::vector<std::string>& argv) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (!spec) throw std::invalid_argument("unknown option '--" + name + "' (see --help)");
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= argv.size()) throw std::invalid_argument("option '--" + name + "' needs a value");
      value = argv[++i];
    } else if (!spec->takes_value && inline_value) {
      throw std::invalid_argument("option '--" + name + "' takes no value");
    }
    auto& slot = values_[name];
    if (!slot.empty() && !spec->repeatable) {
      throw std::invalid_argument("option '--" + name + "' given more than once");
    }
    slot.push_back(value);
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::string Args::get_or(const std::string& name, const std::string& def) const {
  return get(name).value_or(def);
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {
template <class T, class F>
T parse(const std::optional<std::string>& v, const std::string& name, T def, F convert) {
  if (!v) return def;
  try {
    size_t used = 0;
    T out = convert(*v, &used);
    if (used != v->size()) throw std::invalid_argument("trailing characters");
    return out;
  } catch (const std::exception&) {
    throw std::invalid_argument("option '--" + name + "': '" + *v + "' is not a valid number");
  }
}
}  // namespace

int Args::get_int(const std::string& name, int def) const {
  return parse<int>(get(name), name, def, [](const std::string& s, size_t* n) { return std::stoi(s, n); });
}

int64_t Args::get_int64(const std::string& name, int64_t def) const {
  return parse<int64_t>(get(name), name, def,
                        [](const std::string& s, size_t* n) { return std::stoll(s, n); });
}

double Args::get_double(const std::string& name, double def) const {
  return parse<double>(get(name), name, def, [](const std::string& s, size_t* n) { return std::stod(s, n); });
}

namespace {

// "a,b,c" -> the items parsed by `parse_item`; an error names the option and the whole value.
template <typename T, typename ParseItem>
std::vector<T> parse_list(const std::optional<std::string>& v, const std::string& name,
                          const char* what, ParseItem parse_item) {
  std::vector<T> out;
  if (!v) return out;
  size_t start = 0;
  for (;;) {
    const size_t comma = v->find(',', start);
    const std::string item =
        v->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      out.push_back(parse_item(item));
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument("option '--" + name + "': '" + *v +
                                  "' is not a comma-separated list of " + what);
    }
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

std::vector<int> Args::get_int_list(const std::string& name) const {
  return parse_list<int>(get(name), name, "integers", [&](const std::string& item) {
    return parse<int>(item, name, 0,
                      [](const std::string& s, size_t* n) { return std::stoi(s, n); });
  });
}

std::vector<double> Args::get_double_list(const std::string& name) const {
  return parse_list<double>(get(name), name, "numbers", [&](const std::string& item) {
    return parse<double>(item, name, 0.0,
                         [](const std::string& s, size_t* n) { return std::stod(s, n); });
  });
}

std::string usage(const std::string& command, const std::string& summary,
                  const std::vector<OptionSpec>& specs) {
  std::ostringstream os;
  os << "usage: " << command << " [options]\n\n" << summary << "\n\noptions:\n";
  for (const auto& s : specs) {
    std::string left = "  --" + s.name + (s.takes_value ? " " + s.value_name : "");
    os << left;
    if (left.size() < 28) os << std::string(28 - left.size(), ' ');
    else os << "\n" << std::string(28, ' ');
    os << s.help << "\n";
  }
  return os.str();
}

}  // namespace hd::cli
