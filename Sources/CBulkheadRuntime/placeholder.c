#include "bulkhead_runtime.h"
