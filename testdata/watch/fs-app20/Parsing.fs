// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Parsing

type ParsingItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "parsing-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 13 + 11

let total (items: ParsingItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: ParsingItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Text.scale x + 1
