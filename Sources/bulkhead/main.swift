import BulkheadDriver
import Foundation

exit(BulkheadCLI.run(Array(CommandLine.arguments.dropFirst())))
