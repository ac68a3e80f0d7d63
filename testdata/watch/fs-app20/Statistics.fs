// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Statistics

type StatisticsItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "statistics-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 15 + 13

let total (items: StatisticsItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: StatisticsItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Validation.scale x + 1
