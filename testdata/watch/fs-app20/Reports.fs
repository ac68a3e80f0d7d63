// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Reports

type ReportsItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "reports-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 10 + 8

let total (items: ReportsItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: ReportsItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Taxes.scale x + 1
