#include "linter/pickle/compat_names.h"

#include <string_view>

namespace ckptlint::pickle {
namespace {

struct ModuleRename {
  std::string_view from, to;
};
struct NameRename {
  std::string_view from_module, from_name, to_module, to_name;
};

// From CPython Lib/_compat_pickle.py (IMPORT_MAPPING, NAME_MAPPING); modules only a
// checkpoint could plausibly reference are listed.
constexpr ModuleRename kModules[] = {
    {"__builtin__", "builtins"}, {"copy_reg", "copyreg"}, {"Queue", "queue"}, {"SocketServer", "socketserver"},
    {"ConfigParser", "configparser"}, {"repr", "reprlib"}, {"cPickle", "pickle"}, {"_elementtree", "xml.etree.ElementTree"},
    {"FileDialog", "tkinter.filedialog"}, {"UserDict", "collections"}, {"UserList", "collections"},
    {"UserString", "collections"}, {"whichdb", "dbm"}, {"StringIO", "io"}, {"cStringIO", "io"},
    {"exceptions", "builtins"}, {"urllib2", "urllib.request"}, {"httplib", "http.client"},
    {"HTMLParser", "html.parser"}, {"thread", "_thread"}, {"dummy_thread", "_dummy_thread"},
    {"commands", "subprocess"}, {"anydbm", "dbm"}, {"dbhash", "dbm.bsd"}, {"dumbdbm", "dbm.dumb"},
    {"gdbm", "dbm.gnu"}, {"xmlrpclib", "xmlrpc.client"}, {"SimpleXMLRPCServer", "xmlrpc.server"},
    {"robotparser", "urllib.robotparser"}, {"cookielib", "http.cookiejar"}, {"Cookie", "http.cookies"},
    {"htmlentitydefs", "html.entities"}, {"markupbase", "_markupbase"}, {"urlparse", "urllib.parse"},
};

constexpr NameRename kNames[] = {
    {"__builtin__", "xrange", "builtins", "range"},   {"__builtin__", "reduce", "functools", "reduce"},
    {"__builtin__", "intern", "sys", "intern"},       {"__builtin__", "unichr", "builtins", "chr"},
    {"__builtin__", "unicode", "builtins", "str"},    {"__builtin__", "long", "builtins", "int"},
    {"itertools", "izip", "builtins", "zip"},         {"itertools", "imap", "builtins", "map"},
    {"itertools", "ifilter", "builtins", "filter"},   {"itertools", "ifilterfalse", "itertools", "filterfalse"},
    {"itertools", "izip_longest", "itertools", "zip_longest"},
    {"UserDict", "IterableUserDict", "collections", "UserDict"},
    {"UserList", "UserList", "collections", "UserList"}, {"UserDict", "UserDict", "collections", "UserDict"},
    {"UserString", "UserString", "collections", "UserString"}, {"whichdb", "whichdb", "dbm", "whichdb"},
    {"_socket", "fromfd", "socket", "fromfd"},        {"_multiprocessing", "Connection", "multiprocessing.connection", "Connection"},
    {"multiprocessing.process", "Process", "multiprocessing.context", "Process"},
    {"urllib", "quote", "urllib.parse", "quote"},     {"urllib", "unquote", "urllib.parse", "unquote"},
    {"urllib", "urlencode", "urllib.parse", "urlencode"}, {"urllib", "urlopen", "urllib.request", "urlopen"},
    {"urllib", "urlretrieve", "urllib.request", "urlretrieve"},
};

}  // namespace

void mapPython2Name(std::string* module, std::string* name) {
  // Pair renames take precedence over module renames, as in pickle's find_class.
  for (const NameRename& rename : kNames) {
    if (*module == rename.from_module && *name == rename.from_name) {
      *module = std::string(rename.to_module);
      *name = std::string(rename.to_name);
      return;
    }
  }
  for (const ModuleRename& rename : kModules) {
    if (*module == rename.from) {
      *module = std::string(rename.to);
      return;
    }
  }
}

}  // namespace ckptlint::pickle
