import VINKit
