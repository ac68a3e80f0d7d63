// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Money

type MoneyItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "money-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 3 + 1

let total (items: MoneyItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: MoneyItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Geometry.scale x + 1
