// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Validation

type ValidationItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "validation-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 14 + 12

let total (items: ValidationItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: ValidationItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Parsing.scale x + 1
