// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Text

type TextItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "text-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 12 + 10

let total (items: TextItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: TextItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Calendar.scale x + 1
