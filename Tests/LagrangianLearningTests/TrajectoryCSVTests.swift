import LagrangianLearning
import Testing

@Suite("Trajectory CSV")
struct TrajectoryCSVTests {
  @Test("reads q and v columns and ignores energy and extra columns")
  func reads() throws {
    let text = "t,q1,q2,v1,v2,energy,note\n0,1,2,3,4,5,x\n0.1,1.5,2.5e-1,-3,4,5,y\n"
    let trajectory = try ObservedTrajectory(csv: text)
    #expect(trajectory.times == [0, 0.1])
    #expect(trajectory.positions == [[1, 2], [1.5, 0.25]])
    #expect(trajectory.velocities == [[3, 4], [-3, 4]])
  }

  @Test("velocity columns are optional")
  func positionsOnly() throws {
    let trajectory = try ObservedTrajectory(csv: "t,q1,energy\n0,1,0\n0.1,2,0")
    #expect(trajectory.positions == [[1], [2]])
    #expect(trajectory.velocities == nil)
  }

  @Test(
    "malformed files name the line and column",
    arguments: [
      (
        "",
        LearningError.invalidCSV(
          line: 1, column: nil, detail: "the file is empty; expected a header t,q1,…")
      ),
      (
        "time,q1\n0,1", .invalidCSV(line: 1, column: "time", detail: "the first column must be 't'")
      ),
      ("t,x1\n0,1", .invalidCSV(line: 1, column: "x1", detail: "expected column 'q1' after 't'")),
      (
        "t,q1,q2,v1,energy\n0,1,2,3,4",
        .invalidCSV(
          line: 1, column: "v2",
          detail: "missing: there are 2 q columns, so there must be 2 v columns or none")
      ),
      (
        "t,q1,v1\n0,1,2\n0.1,1",
        .invalidCSV(
          line: 3, column: "v1", detail: "missing: the row has 2 fields, the header has 3")
      ),
      (
        "t,q1,v1\n0,1,2\n0.1,abc,2",
        .invalidCSV(line: 3, column: "q1", detail: "'abc' is not a number")
      ),
      ("t,q1\n", .invalidCSV(line: 2, column: nil, detail: "no data rows after the header")),
      ("t,q1\n0,nan", .nonFiniteObservation(trajectory: 0, sample: 0, value: .nan)),
    ])
  func malformed(text: String, expected: LearningError) {
    do {
      _ = try ObservedTrajectory(csv: text)
      Issue.record("no error for \(text)")
    } catch {
      if case .nonFiniteObservation(_, let sample, let value) = error {
        #expect(sample == 0 && value.isNaN)
      } else {
        #expect(error == expected)
      }
    }
  }
}
